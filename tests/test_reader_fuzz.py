"""Every reader, fed damaged or random input, gives valid articles or one clear error line each.

Property tests (hypothesis): random bytes, and the reader fixtures of examples/inputs/ truncated,
with bytes flipped, NULs inserted, re-encoded, or with a huge field. Whatever comes in, a
lenient read (as ``analyze`` does it) never raises; every error is one line naming the file;
every article has a non-empty id, a text without control characters, and a date that is either
absent or ISO 8601 as stored.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wiretrace.errors import InputError
from wiretrace.io.discover import read_file
from wiretrace.io.fields import InputWarning, ReadOptions
from wiretrace.times import parse_time

INPUTS = Path(__file__).resolve().parents[1] / "examples" / "inputs"
SAMPLES = sorted(
    p for p in INPUTS.rglob("*") if p.is_file() and p.suffix not in (".py", ".md") and not p.name.startswith(".")
)
SUFFIXES = [".txt", ".json", ".jsonl", ".csv", ".tsv", ".html", ".rss", ".xml", ".warc", ""]
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def read_leniently(path: Path, max_chars: int = 2_000_000) -> tuple[list, list[InputError], list[InputWarning]]:
    errors: list[InputError] = []
    warnings: list[InputWarning] = []
    options = ReadOptions(on_warning=warnings.append, max_chars=max_chars)
    articles = list(read_file(path, errors.append, options))
    return articles, errors, warnings


def check(path: Path, max_chars: int = 2_000_000) -> None:
    articles, errors, warnings = read_leniently(path, max_chars)
    for problem in [*errors, *warnings]:
        message = str(problem)
        assert "\n" not in message and message.startswith(str(path)), message
        assert problem.reason.strip(), message
    for a in articles:
        assert isinstance(a.id, str) and a.id
        assert isinstance(a.text, str) and a.text.strip()
        assert not CONTROL.search(a.text), (a.id, CONTROL.search(a.text))
        assert len(a.text) <= max_chars
        a.text.encode("utf-8")  # no lone surrogates
        if a.published is not None:
            assert parse_time(a.published) is not None, a.published
        for field in (a.title, a.outlet, a.url, a.lang, a.author):
            assert field is None or (isinstance(field, str) and field.strip())


@FUZZ
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"random{suffix}"
    path.write_bytes(data)
    check(path)


def _mutate(data: bytes, how: str, at: float, byte: int) -> bytes:
    i = int(at * len(data))
    if how == "truncate":
        return data[:i]
    if how == "flip":
        return data[:i] + bytes([byte]) + data[i + 1 :]
    if how == "nul":
        return data[:i] + b"\x00" * (1 + byte % 5) + data[i:]
    if how == "latin1":
        try:
            return data.decode("utf-8").encode("latin-1", errors="replace")
        except UnicodeDecodeError:
            return data
    if how == "utf16":
        try:
            return data.decode("utf-8").encode("utf-16")
        except UnicodeDecodeError:
            return data
    return data + data[i:]  # "repeat": a tail written twice (a crash while appending)


@FUZZ
@given(
    sample=st.sampled_from(SAMPLES),
    how=st.sampled_from(["truncate", "flip", "nul", "latin1", "utf16", "repeat"]),
    at=st.floats(min_value=0, max_value=1),
    byte=st.integers(min_value=0, max_value=255),
)
def test_damaged_fixtures(tmp_path: Path, sample: Path, how: str, at: float, byte: int) -> None:
    path = tmp_path / sample.name
    path.write_bytes(_mutate(sample.read_bytes(), how, at, byte))
    check(path)


@pytest.mark.parametrize("suffix", [".txt", ".jsonl", ".csv"])
def test_a_huge_field_is_cut_not_taken_whole(tmp_path: Path, suffix: str) -> None:
    body = "Wort " * 200_000  # 1,000,000 characters
    path = tmp_path / f"huge{suffix}"
    if suffix == ".txt":
        path.write_text(body, encoding="utf-8")
    elif suffix == ".jsonl":
        path.write_text(json.dumps({"text": body, "title": "T" * 100_000}) + "\n", encoding="utf-8")
    else:
        path.write_text(f'text,title\n"{body}",Titel\n', encoding="utf-8")
    articles, errors, warnings = read_leniently(path, max_chars=10_000)
    assert not errors and len(articles) == 1
    assert len(articles[0].text) == 10_000
    assert [w.kind for w in warnings] == ["cut"]
    check(path, max_chars=10_000)

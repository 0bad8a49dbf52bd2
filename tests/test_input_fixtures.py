"""The reader fixtures in examples/inputs/: every input gives exactly the articles its manifest lists.

57 files written by us in the shapes real inputs come in (feeds, spreadsheet CSVs, JSON with
other field names, HTML with meta dates in several forms, WARC, non-UTF-8 files, stray control
bytes, broken records). ``examples/inputs/.expected.json`` lists, per file, its articles in
order (id, title, outlet, published, url, lang, author, teaser_only and phrases of the text),
and the warnings and errors it must give. Nothing may be lost silently: an article not in the
manifest, a missing one, or an unexpected warning or error fails the test.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from wiretrace.errors import InputError
from wiretrace.io.discover import InputStats, iter_input_articles
from wiretrace.io.fields import InputWarning, ReadOptions
from wiretrace.model import Article

INPUTS = Path(__file__).resolve().parents[1] / "examples" / "inputs"
MANIFEST = json.loads((INPUTS / ".expected.json").read_text(encoding="utf-8"))

# The manifest's reason keywords, as patterns of the readers' messages.
KEYWORDS = {
    "cannot read date": r"cannot read date",
    "control characters removed": r"control character\(s\) removed",
    "decoded as": r"decoded as ",
    "teaser only": r"teaser_only",
    "malformed JSON": r"malformed JSON",
    "no text": r"no text|\(text\) is empty|no readable characters|no main text",
    "binary": r"binary content",
    "empty": r"empty",
    "fields": r"fields",
}

FIELDS = ("id", "title", "outlet", "published", "url", "lang", "author", "teaser_only")


class _Read:
    """Everything one analyze-style read of the folder gave, per input file."""

    def __init__(self) -> None:
        self.articles: dict[str, list[Article]] = defaultdict(list)
        self.warnings: dict[str, list[str]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.stats = InputStats()

        def warn(w: InputWarning) -> None:
            self.warnings[self._key(w.source)].append(w.reason)

        def error(e: InputError) -> None:
            self.errors[self._key(e.source)].append(e.reason)

        options = ReadOptions(on_warning=warn)
        for article in iter_input_articles(
            [str(INPUTS)], on_error=error, stats=self.stats, options=options
        ):
            self.articles[self._key(article.path or "")].append(article)

    @staticmethod
    def _key(source: str) -> str:
        # WARC warnings name "file (uri)"; every source starts with the file's path.
        path = source.split(" (", 1)[0]
        return Path(path).resolve().relative_to(INPUTS).as_posix()


@pytest.fixture(scope="module")
def read() -> _Read:
    return _Read()


def _matches(keywords: list[str], messages: list[str]) -> bool:
    """Every keyword matched by a message, every message by a keyword, counts equal."""
    if len(keywords) != len(messages):
        return False
    patterns = [KEYWORDS[k] for k in keywords]
    return all(any(re.search(p, m) for m in messages) for p in patterns) and all(
        any(re.search(p, m) for p in patterns) for m in messages
    )


def test_the_manifest_covers_every_input_file(read: _Read) -> None:
    listed = {entry["file"] for entry in MANIFEST["inputs"]}
    assert len(listed) >= 40
    read_from = set(read.articles) | set(read.errors) | set(read.warnings)
    assert read_from <= listed, read_from - listed
    assert read.stats.files_read == len(listed)
    assert sum(len(e["articles"]) for e in MANIFEST["inputs"]) == read.stats.articles


@pytest.mark.parametrize("entry", MANIFEST["inputs"], ids=lambda e: e["file"])
def test_each_input_gives_its_articles(read: _Read, entry: dict) -> None:  # type: ignore[type-arg]
    name = entry["file"]
    got = read.articles.get(name, [])
    assert [a.id for a in got] == [a["id"] for a in entry["articles"]], read.errors.get(name)
    for article, want in zip(got, entry["articles"], strict=True):
        for field in FIELDS:
            if field in want:
                assert getattr(article, field) == want[field], (article.id, field)
        for phrase in want.get("text_contains", []):
            assert phrase in article.text, (article.id, phrase)
        for phrase in want.get("text_excludes", []):
            assert phrase not in article.text, (article.id, phrase)
    warnings, errors = read.warnings.get(name, []), read.errors.get(name, [])
    assert _matches(entry.get("warnings", []), warnings), warnings
    assert _matches(entry.get("errors", []), errors), errors


def test_time_of_day_is_kept_wherever_the_input_has_it(read: _Read) -> None:
    # Feeds, HTML meta tags and WARC headers carry times: none may be cut to the day.
    timed = [
        a
        for name, articles in read.articles.items()
        if name.startswith(("feeds/", "html/", "warc/"))
        for a in articles
        if a.published is not None
    ]
    assert timed and sum("T" in a.published for a in timed) >= 0.8 * len(timed)

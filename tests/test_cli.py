"""The ``wiretrace`` command line, driven through its real entry points.

Most tests use typer's CliRunner on the real app (fast, in-process); the ones that matter for
packaging, worker processes and exit codes run ``python -m wiretrace`` in a subprocess.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wiretrace import __version__
from wiretrace.cli import app
from wiretrace.io import readers
from wiretrace.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED_EXAMPLES = ROOT.parent / "shared" / "examples"
REGIONAL = SHARED_EXAMPLES / "moskau-regional-dpa.txt"
HUFFPOST = SHARED_EXAMPLES / "moskau-huffpost.txt"

# Fictional articles written for these tests: B rewrites two paragraphs of A and inserts one.
TEXT_A = """Harbour town opens new ferry terminal

The town of Kellmouth opened its new ferry terminal on Tuesday after three years of construction. Mayor Orla Brennick cut the ribbon in front of several hundred residents and said the building would bring visitors and jobs to the coast.

The terminal cost 48 million euros and replaces a wooden pier from 1962. Ferries to the islands of Skarra and Lunde will depart every two hours in summer, the operator Northwind Lines said.

Local fishermen criticised the project because the new breakwater narrows the entrance to the old harbour. Their association has filed a complaint with the regional planning office.
"""
TEXT_B = """Kellmouth celebrates: ferries leave from a modern hall

After three years of building work, the town of Kellmouth opened its new ferry terminal on Tuesday. Mayor Orla Brennick cut the ribbon in front of several hundred residents and said the building would bring tourists and jobs to the coast.

A reporter visited the waiting hall, which offers a café and a small exhibition about shipbuilding.

The terminal cost 48 million euros and replaces an old wooden pier from 1962. Ferries to the islands of Skarra and Lunde will depart every two hours during the summer season, the operator Northwind Lines said.
"""
TEXT_OTHER = """The regional orchestra announced its programme for the coming winter season on Friday. Conductor Ilse Marwood will lead eight concerts, including two premieres by young composers from the north. Tickets go on sale next month; students pay half price. The orchestra also plans a tour of schools in the spring.
"""

SCHEMA_KEYS = {"a", "b", "same_story", "coverage", "passages", "relation"}
SIDE_KEYS = {"id", "path", "chars", "credits", "image_credits"}
PASSAGE_KEYS = {"a_start", "a_end", "b_start", "b_end", "similarity", "a_text", "b_text"}

runner = CliRunner()


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """``python -m wiretrace ARGS`` in a subprocess (the real entry point)."""
    return subprocess.run(
        [sys.executable, "-m", "wiretrace", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )


def invoke(*args: str | Path):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def texts(tmp_path: Path) -> dict[str, Path]:
    paths = {}
    for name, text in (("a", TEXT_A), ("b", TEXT_B), ("other", TEXT_OTHER)):
        paths[name] = tmp_path / f"{name}.txt"
        paths[name].write_text(text, encoding="utf-8")
    return paths


def check_record(record: dict, text_a: str, text_b: str) -> None:
    assert set(record) == SCHEMA_KEYS
    assert set(record["a"]) == SIDE_KEYS and set(record["b"]) == SIDE_KEYS
    assert record["a"]["chars"] == len(text_a) and record["b"]["chars"] == len(text_b)
    assert set(record["same_story"]) == {"score", "verdict", "features"}
    assert 0.0 <= record["same_story"]["score"] <= 1.0
    assert record["same_story"]["verdict"] in {"same", "related", "different"}
    assert all(isinstance(v, float) for v in record["same_story"]["features"].values())
    assert set(record["coverage"]) == {"a", "b"}
    for p in record["passages"]:
        assert set(p) == PASSAGE_KEYS
        assert p["a_text"] == text_a[p["a_start"] : p["a_end"]]
        assert p["b_text"] == text_b[p["b_start"] : p["b_end"]]
        assert 0.0 <= p["similarity"] <= 1.0


def stderr_line(result) -> str:  # type: ignore[no-untyped-def]
    """The one stderr line of a failed run."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("wiretrace: ")
    return lines[0]


# --- single compare ----------------------------------------------------------------------------


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"wiretrace {__version__}"


def test_compare_json_via_real_entry_point(texts: dict[str, Path]) -> None:
    result = run("compare", "--json", texts["a"], texts["b"])
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    check_record(record, TEXT_A, TEXT_B)
    assert record["a"] == {
        "id": "a", "path": str(texts["a"]), "chars": len(TEXT_A), "credits": [], "image_credits": []
    }
    assert record["same_story"]["verdict"] == "same"
    assert len(record["passages"]) >= 1
    joined = " ".join(p["a_text"] for p in record["passages"])
    assert "Mayor Orla Brennick cut the ribbon" in joined
    assert "48 million euros" in joined
    assert "\\u" not in result.stdout  # ensure_ascii=False


def test_compare_json_unrelated(texts: dict[str, Path]) -> None:
    result = invoke("compare", "--json", texts["a"], texts["other"])
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    check_record(record, TEXT_A, TEXT_OTHER)
    assert record["passages"] == []
    assert record["same_story"]["verdict"] == "different"
    assert record["coverage"] == {"a": 0.0, "b": 0.0}


def test_compare_human_output(texts: dict[str, Path]) -> None:
    result = invoke("compare", texts["a"], texts["b"])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Same story: same" in out
    assert re.search(r"^\[1\] a \d+–\d+ ↔ b \d+–\d+ · similarity [01]\.\d\d$", out, re.M)
    assert str(texts["a"]) in out and f"{len(TEXT_A):,} chars" in out
    assert "Coverage: a " in out
    # Off a terminal, differences are marked in the text: "visitors" became "tourists".
    assert "[-visitors-]" in out and "{+tourists+}" in out
    assert "Mayor Orla Brennick cut the ribbon" in out
    assert result.stderr == ""


def test_compare_human_output_without_passages(texts: dict[str, Path]) -> None:
    result = invoke("compare", "--no-color", texts["a"], texts["other"])
    assert result.exit_code == 0
    assert "Same story: different" in result.stdout
    assert "No shared passages" in result.stdout
    assert "[1]" not in result.stdout


def test_compare_reads_first_article_of_json_files(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(
        json.dumps({"id": "wire-1", "text": TEXT_A}) + "\n" + json.dumps({"text": "x"}) + "\n"
    )
    (tmp_path / "b.json").write_text(json.dumps([{"id": "web-9", "text": TEXT_B}]))
    result = invoke("compare", "--json", tmp_path / "a.jsonl", tmp_path / "b.json")
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    check_record(record, TEXT_A, TEXT_B)
    assert (record["a"]["id"], record["b"]["id"]) == ("wire-1", "web-9")


def test_settings_file_applies(texts: dict[str, Path], tmp_path: Path) -> None:
    toml = tmp_path / "strict.toml"
    toml.write_text("[align]\nmin_passage_chars = 5000\n\n[same_story]\nsame_threshold = 0.9\n")
    result = invoke("compare", "--json", "--settings", toml, texts["a"], texts["b"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["passages"] == []


def test_offsets_are_code_points_of_the_text_as_read(tmp_path: Path) -> None:
    # BOM removed, CRLF kept, astral characters count as one code point.
    a = tmp_path / "a.txt"
    a.write_bytes(b"\xef\xbb\xbf" + ("\U0001f30a Flood. " + TEXT_A).replace("\n", "\r\n").encode())
    text_a = a.read_bytes()[3:].decode("utf-8")
    (tmp_path / "b.txt").write_text(TEXT_B, encoding="utf-8")
    result = invoke("compare", "--json", a, tmp_path / "b.txt")
    record = json.loads(result.stdout)
    check_record(record, text_a, TEXT_B)
    assert record["passages"]


# --- bad input: one stderr line naming the file, exit 2 ---------------------------------------


def test_compare_reads_files_as_analyze_does(texts: dict[str, Path], tmp_path: Path) -> None:
    # A Windows-1252 text is decoded (and said so); a JSON lines record is picked by its id;
    # an HTML page is its extracted text, not its tags.
    latin = tmp_path / "latin.txt"
    text_a = texts["a"].read_text(encoding="utf-8")
    latin.write_bytes(("Grüße, Café. " + text_a).encode("cp1252", errors="replace"))
    result = invoke("compare", "--json", latin, texts["a"])
    assert result.exit_code == 0, result.stderr
    assert "decoded as cp1252" in result.stderr
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(
        json.dumps({"id": "x", "text": "Erster Text."}) + "\n"
        + json.dumps({"id": "y", "body": texts["a"].read_text(encoding="utf-8")}) + "\n",
        encoding="utf-8",
    )
    result = invoke("compare", "--json", f"{corpus}#y", texts["a"])
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["a"]["id"] == "y" and record["coverage"]["a"] > 0.9
    result = invoke("compare", f"{corpus}#nope", texts["a"])
    assert result.exit_code == 2 and "no article with id 'nope'" in result.stderr
    page = tmp_path / "page.html"
    body = "".join(
        f"<p>{p}</p>" for p in texts["a"].read_text(encoding="utf-8").split("\n\n") if p.strip()
    )
    page.write_text(f"<html><body><article>{body}</article></body></html>", encoding="utf-8")
    result = invoke("compare", "--json", page, texts["a"])
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["coverage"]["b"] > 0.8
    assert all("<p>" not in p["a_text"] for p in record["passages"])


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: None, "no such file"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.write_bytes(b""), "empty file"),
        (lambda p: p.write_bytes(b" \n\t\n"), "empty file"),
        (lambda p: p.write_bytes(b"PK\x03\x04\x00\x00binary"), "binary content"),
        (lambda p: p.write_bytes(b"Caf\xc3\xa9 \xc3\xa0 Kellmouth \xe9\n"), "not valid UTF-8"),
        (lambda p: p.write_bytes(b"\xff\xfeK\x00\x00\xd8"), "not valid utf-16"),
    ],
    ids=["missing", "directory", "empty", "blank", "binary", "bad-utf8", "bad-utf16"],
)
def test_bad_article_file(texts: dict[str, Path], tmp_path: Path, make, reason: str) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.txt"
    make(bad)
    for args in (("compare", bad, texts["b"]), ("compare", "--json", texts["a"], bad)):
        result = invoke(*args)
        assert result.exit_code == 2
        line = stderr_line(result)
        assert line.startswith(f"wiretrace: {bad}: ")
        assert reason in line
        assert result.stdout == ""


def test_bad_input_via_real_entry_point(tmp_path: Path, texts: dict[str, Path]) -> None:
    result = run("compare", tmp_path / "nope.txt", texts["b"])
    assert result.returncode == 2
    assert stderr_line(result) == f"wiretrace: {tmp_path / 'nope.txt'}: no such file"


def test_file_over_size_limit(texts: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_ARTICLE_BYTES", 100)
    result = invoke("compare", texts["a"], texts["b"])
    assert result.exit_code == 2
    line = stderr_line(result)
    assert line.startswith(f"wiretrace: {texts['a']}: file is too large")


def test_malformed_json_article(tmp_path: Path, texts: dict[str, Path]) -> None:
    bad = tmp_path / "feed.jsonl"
    bad.write_text('{"text": "unterminated\n')
    result = invoke("compare", bad, texts["b"])
    assert result.exit_code == 2
    assert stderr_line(result).startswith(f"wiretrace: {bad}:1: malformed JSON")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("[align\nmin_passage_chars = 1\n", "invalid TOML"),
        ("[align]\nno_such_setting = 1\n", "unknown setting align.no_such_setting"),
        ("[align]\nmin_passage_chars = 'many'\n", "align.min_passage_chars must be int"),
        ("[colour]\nx = 1\n", "unknown settings section [colour]"),
    ],
)
def test_bad_settings_file(
    texts: dict[str, Path], tmp_path: Path, content: str, reason: str
) -> None:
    toml = tmp_path / "s.toml"
    toml.write_text(content)
    result = invoke("compare", "--settings", toml, texts["a"], texts["b"])
    assert result.exit_code == 2
    line = stderr_line(result)
    assert line.startswith(f"wiretrace: {toml}: ") and reason in line


def test_serve_refuses_a_bad_settings_file_before_serving(tmp_path: Path) -> None:
    toml = tmp_path / "s.toml"
    toml.write_text("[same_story]\nembeddings = 'no'\n")
    result = invoke("serve", "--db", tmp_path / "w.db", "--settings", toml)
    assert result.exit_code == 2
    line = stderr_line(result)
    assert line.startswith(f"wiretrace: {toml}: ") and "same_story.embeddings" in line
    assert not (tmp_path / "w.db").exists()  # nothing created


def test_missing_settings_file(texts: dict[str, Path], tmp_path: Path) -> None:
    result = invoke("compare", "--settings", tmp_path / "no.toml", texts["a"], texts["b"])
    assert result.exit_code == 2
    assert "settings file not found" in stderr_line(result)


@pytest.mark.parametrize(
    "args",
    [
        ["compare"],
        ["compare", "ONE"],
        ["compare", "A", "B", "--pairs", "p.txt"],
        ["compare", "--pairs", "p.txt", "--base-dir", ".", "--corpus", "c.jsonl"],
        ["compare", "A", "B", "--jobs", "2"],
        ["compare", "--pairs", "p.txt", "--jobs", "0"],
        ["no-such-command"],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stdout == ""


# --- batch compare -----------------------------------------------------------------------------


@pytest.fixture
def batch_dir(tmp_path: Path) -> Path:
    d = tmp_path / "batch"
    (d / "arts").mkdir(parents=True)
    (d / "arts" / "a.txt").write_text(TEXT_A, encoding="utf-8")
    (d / "arts" / "b.txt").write_text(TEXT_B, encoding="utf-8")
    (d / "arts" / "other.txt").write_text(TEXT_OTHER, encoding="utf-8")
    return d


def records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_batch_order_preserved_with_two_jobs(batch_dir: Path) -> None:
    names = ["a", "b", "other"]
    listed = [(x, y) for x in names for y in names] * 3  # 27 pairs, several chunks
    pairs = batch_dir / "pairs.txt"
    pairs.write_text(
        "# pairs to compare\n\n" + "".join(f"arts/{x}.txt  arts/{y}.txt\n" for x, y in listed)
    )
    result = run("compare", "--pairs", pairs, "--jobs", "2")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    got = records(result.stdout)
    assert [(r["a"]["id"], r["b"]["id"]) for r in got] == listed
    texts = {"a": TEXT_A, "b": TEXT_B, "other": TEXT_OTHER}
    for r, (x, y) in zip(got, listed, strict=True):
        check_record(r, texts[x], texts[y])
    ab = got[1]
    assert ab["same_story"]["verdict"] == "same" and ab["passages"]
    # Records are compact JSON lines with the same content as single compare --json.
    single = json.loads(
        run("compare", "--json", batch_dir / "arts/a.txt", batch_dir / "arts/b.txt").stdout
    )
    for key in ("same_story", "coverage", "passages"):
        assert ab[key] == single[key]


def test_batch_bad_pairs_are_skipped(batch_dir: Path, tmp_path: Path) -> None:
    pairs = batch_dir / "pairs.txt"
    (batch_dir / "arts" / "binary.txt").write_bytes(b"%PDF-1.4\x00\x01\x02")
    pairs.write_text(
        "arts/a.txt arts/b.txt\n"  # 1
        "arts/a.txt arts/missing.txt\n"  # 2
        "arts/a.txt\n"  # 3: malformed
        "arts/binary.txt arts/b.txt\n"  # 4
        "  # indented comment\n"  # 5
        "arts/b.txt arts/a.txt\n"  # 6
    )
    out = tmp_path / "out.jsonl"
    result = run("compare", "--pairs", pairs, "--out", out, "--jobs", "2")
    assert result.returncode == 1
    assert result.stdout == ""
    got = records(out.read_text(encoding="utf-8"))
    assert [(r["a"]["id"], r["b"]["id"]) for r in got] == [("a", "b"), ("b", "a")]
    errors = result.stderr.strip().splitlines()
    assert errors[:3] == [
        f"wiretrace: {pairs}:3: expected two whitespace-separated paths or ids, got 1 fields",
        f"wiretrace: {pairs}:2: {batch_dir / 'arts' / 'missing.txt'}: no such file",
        f"wiretrace: {pairs}:4: {batch_dir / 'arts' / 'binary.txt'}: binary content"
        " (a PDF file), not text",
    ]
    assert "2 of 5 pairs compared" in errors[-1]


def test_batch_base_dir_and_stdout(batch_dir: Path, tmp_path: Path) -> None:
    pairs = tmp_path / "elsewhere.txt"
    pairs.write_text("a.txt b.txt\n")
    result = invoke("compare", "--pairs", pairs, "--base-dir", batch_dir / "arts", "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    (record,) = records(result.stdout)
    assert record["a"]["path"] == str(batch_dir / "arts" / "a.txt")


def test_batch_corpus_ids(tmp_path: Path) -> None:
    corpus = tmp_path / "articles.jsonl"
    corpus.write_text(
        "\n".join(
            json.dumps(r, ensure_ascii=False)
            for r in (
                {"id": "wire", "text": TEXT_A, "title": "Ferry terminal opens"},
                {"id": "web", "text": TEXT_B},
                {"id": 7, "text": TEXT_OTHER},
            )
        )
        + "\n"
    )
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("wire web\n7 wire\nweb nobody\nweb wire\n")
    result = invoke("compare", "--pairs", pairs, "--corpus", corpus, "--jobs", "1")
    assert result.exit_code == 1
    got = records(result.stdout)
    assert [(r["a"]["id"], r["b"]["id"]) for r in got] == [
        ("wire", "web"),
        ("7", "wire"),
        ("web", "wire"),
    ]
    assert got[0]["same_story"]["verdict"] == "same"
    assert got[1]["passages"] == []
    assert got[0]["a"]["path"] == str(corpus)
    lines = result.stderr.strip().splitlines()
    assert lines[0] == f"wiretrace: {pairs}:3: unknown id 'nobody' (not in {corpus})"


def test_batch_corpus_with_a_bad_line(tmp_path: Path) -> None:
    corpus = tmp_path / "articles.jsonl"
    corpus.write_text(json.dumps({"id": "wire", "text": TEXT_A}) + "\n{oops\n")
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("wire wire\n")
    result = invoke("compare", "--pairs", pairs, "--corpus", corpus)
    assert result.exit_code == 1
    assert len(records(result.stdout)) == 1
    assert f"wiretrace: {corpus}:2: malformed JSON" in result.stderr


def test_batch_unusable_inputs_exit_2(tmp_path: Path, batch_dir: Path) -> None:
    missing = tmp_path / "nope.txt"
    result = invoke("compare", "--pairs", missing)
    assert result.exit_code == 2
    assert stderr_line(result) == f"wiretrace: {missing}: no such file"
    pairs = batch_dir / "pairs.txt"
    pairs.write_text("x y\n")
    result = invoke("compare", "--pairs", pairs, "--corpus", tmp_path / "none.jsonl")
    assert result.exit_code == 2
    assert stderr_line(result) == f"wiretrace: {tmp_path / 'none.jsonl'}: no such file"


def test_batch_empty_pairs_file(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("# nothing yet\n\n")
    result = invoke("compare", "--pairs", pairs)
    assert result.exit_code == 0
    assert result.stdout == ""


# --- eval plagdet --------------------------------------------------------------------------------


@pytest.fixture
def pan_corpus(tmp_path: Path) -> Path:
    """A tiny PAN 2013 layout: one copied paragraph, one negative pair."""
    root = tmp_path / "pan"
    (root / "src").mkdir(parents=True)
    (root / "susp").mkdir()
    copied = TEXT_A.split("\n\n")[1]
    src_text = TEXT_OTHER + "\n" + copied + "\n"
    susp_text = "Something else entirely, about a village fête. " + copied + "\nThe end.\n"
    (root / "src" / "source-document00001.txt").write_text(src_text, encoding="utf-8")
    (root / "susp" / "suspicious-document00001.txt").write_text(susp_text, encoding="utf-8")
    (root / "susp" / "suspicious-document00002.txt").write_text(TEXT_OTHER, encoding="utf-8")
    feature = (
        f'<feature name="plagiarism" this_offset="{susp_text.index(copied)}"'
        f' this_length="{len(copied)}" source_reference="source-document00001.txt"'
        f' source_offset="{src_text.index(copied)}" source_length="{len(copied)}" />'
    )
    for subset, susp, features in (
        ("02-no-obfuscation", "suspicious-document00001.txt", feature),
        ("01-no-plagiarism", "suspicious-document00002.txt", ""),
    ):
        (root / subset).mkdir()
        (root / subset / "pairs").write_text(f"{susp} source-document00001.txt\n")
        truth = root / subset / f"{Path(susp).stem}-source-document00001.xml"
        truth.write_text(f'<document reference="{susp}">\n{features}\n</document>\n')
    return root


def test_eval_plagdet_table(pan_corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "detections"
    result = run("eval", "plagdet", pan_corpus, "--out", out, "--jobs", "2")
    assert result.returncode == 0, result.stderr
    for word in ("subset", "recall", "precision", "granularity", "plagdet", "overall"):
        assert word in result.stdout
    assert "01-no-plagiarism" in result.stdout and "02-no-obfuscation" in result.stdout
    assert re.search(r"2 pairs in \d+\.\d s wall", result.stdout)
    assert len(list(out.rglob("*.xml"))) == 2


def test_eval_plagdet_json(pan_corpus: Path) -> None:
    result = invoke("eval", "plagdet", pan_corpus, "--json", "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["pairs"] == 2
    assert set(report["subsets"]) == {"01-no-plagiarism", "02-no-obfuscation"}
    assert report["overall"]["cases"] == 1
    assert report["subsets"]["02-no-obfuscation"]["recall"] > 0.9
    assert set(report["overall"]) == {
        "recall",
        "precision",
        "granularity",
        "plagdet",
        "cases",
        "detections",
    }


def test_eval_plagdet_subset_limit_and_settings(pan_corpus: Path, tmp_path: Path) -> None:
    toml = tmp_path / "s.toml"
    toml.write_text("[align]\nmin_passage_chars = 100000\n")
    args = ["eval", "plagdet", pan_corpus, "--json", "--jobs", "1", "--limit", "1"]
    result = invoke(*args, "--subset", "02-no-obfuscation", "--settings", toml)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert list(report["subsets"]) == ["02-no-obfuscation"]
    assert report["overall"]["detections"] == 0  # the settings reached the aligner


def test_eval_plagdet_bad_corpus(tmp_path: Path, pan_corpus: Path) -> None:
    result = invoke("eval", "plagdet", tmp_path / "nothing")
    assert result.exit_code == 2
    assert stderr_line(result) == f"wiretrace: {tmp_path / 'nothing'}: corpus directory not found"
    result = invoke("eval", "plagdet", pan_corpus, "--subset", "99-x")
    assert result.exit_code == 2
    assert "no subset '99-x'" in stderr_line(result)


# --- start-up and docs -------------------------------------------------------------------------


def test_cli_import_is_light() -> None:
    """Heavy modules load lazily, so `wiretrace compare A B` starts fast."""
    code = "import sys, wiretrace.cli; print(sorted({'numpy', 'rapidfuzz', 'rich.console'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_readme_lists_every_setting_with_its_default() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    defaults = Settings()
    for section in ("align", "same_story", "corpus"):
        assert f"[{section}]" in readme
        for f in dataclasses.fields(getattr(defaults, section)):
            value = getattr(getattr(defaults, section), f.name)
            toml = str(value).lower() if type(value) is bool else repr(value)  # TOML spelling
            if type(value) is tuple:
                toml = json.dumps(list(value))
            assert re.search(rf"^{f.name} = {re.escape(toml)}(?!\w)", readme, re.M), (
                f"README.md does not list {section}.{f.name} = {value!r}"
            )


# --- the canonical example pair (../shared/examples) ------------------------------------------

needs_shared = pytest.mark.skipif(
    not (REGIONAL.is_file() and HUFFPOST.is_file()), reason="../shared/examples is absent"
)


@needs_shared
def test_example_pair_json() -> None:
    result = run("compare", "--json", REGIONAL, HUFFPOST)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    regional = REGIONAL.read_text(encoding="utf-8")
    huffpost = HUFFPOST.read_text(encoding="utf-8")
    check_record(record, regional, huffpost)
    assert record["same_story"]["verdict"] == "same"
    passages = record["passages"]
    assert len(passages) == 3
    # Passage 2 is split in the online version by an inserted video teaser: one passage.
    assert "Text geht nach dem Video weiter" in passages[1]["b_text"]
    assert "betonte Hollande" in passages[1]["a_text"]
    assert "mit mehr als 130 Toten" in passages[2]["b_text"]
    assert "Mit Material" not in passages[2]["a_text"]


@needs_shared
def test_example_pair_human() -> None:
    result = invoke("compare", REGIONAL, HUFFPOST)
    assert result.exit_code == 0, result.stderr
    assert "Same story: same" in result.stdout
    assert "[-betonte-]" in result.stdout and "{+sagte+}" in result.stdout
    assert re.search(r"^\[3\] a \d+–\d+ ↔ b ", result.stdout, re.M)
    assert not re.search(r"^\[4\] ", result.stdout, re.M)

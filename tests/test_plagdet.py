"""PlagDet metric against hand-computed examples, and the PAN corpus runner on synthetic corpora."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wiretrace.errors import InputError
from wiretrace.eval.pan import read_truth, run_plagdet, truth_name
from wiretrace.eval.plagdet import Case, PlagdetScore, covered, granularity, plagdet, score
from wiretrace.model import Passage, Span

P = ("susp-a.txt", "src-a.txt")
Q = ("susp-b.txt", "src-b.txt")


def case(a: int, b: int, c: int, d: int, pair: tuple[str, str] = P) -> Case:
    """Case on ``pair`` covering ``[a, b)`` in susp and ``[c, d)`` in src."""
    return Case(pair, Span(a, b), Span(c, d))


def close(s: PlagdetScore, rec: float, prec: float, gran: float, pd: float) -> bool:
    return all(
        math.isclose(x, y, abs_tol=1e-12)
        for x, y in ((s.recall, rec), (s.precision, prec), (s.granularity, gran), (s.plagdet, pd))
    )


# --- metric: hand-computed examples -------------------------------------------------------


def test_perfect_detection_scores_one() -> None:
    cases = [case(0, 10, 5, 15), case(40, 60, 100, 130)]
    s = score(cases, list(cases))
    assert close(s, 1, 1, 1, 1)
    assert (s.cases, s.detections) == (2, 2)


def test_half_covered_case_has_recall_half() -> None:
    s = score([case(0, 10, 0, 10)], [case(0, 5, 0, 5)])
    # recall 10/20, precision 10/10, F1 = 2/3, granularity 1 -> log2(2) = 1
    assert close(s, 0.5, 1, 1, 2 / 3)


def test_case_size_counts_both_documents() -> None:
    # |s| = 10 + 30; the detection covers 10 + 10 of it
    s = score([case(0, 10, 0, 30)], [case(0, 10, 0, 10)])
    assert math.isclose(s.recall, 0.5)
    assert math.isclose(s.precision, 1.0)


def test_overlap_only_in_suspicious_document_does_not_detect() -> None:
    s = score([case(0, 10, 0, 10)], [case(0, 10, 50, 60)])
    assert close(s, 0, 0, 1, 0)


def test_overlap_only_in_source_document_does_not_detect() -> None:
    s = score([case(0, 10, 0, 10)], [case(50, 60, 0, 10)])
    assert close(s, 0, 0, 1, 0)


def test_detection_on_another_pair_does_not_detect() -> None:
    s = score([case(0, 10, 0, 10)], [case(0, 10, 0, 10, pair=Q)])
    assert close(s, 0, 0, 1, 0)


def test_touching_spans_do_not_overlap() -> None:
    s = score([case(0, 10, 0, 10)], [case(10, 20, 10, 20)])
    assert close(s, 0, 0, 1, 0)


def test_case_split_over_two_detections_has_granularity_two() -> None:
    s = score([case(0, 10, 0, 10)], [case(0, 5, 0, 5), case(5, 10, 5, 10)])
    assert close(s, 1, 1, 2, 1 / math.log2(3))
    assert math.isclose(granularity([case(0, 10, 0, 10)], [case(0, 5, 0, 5)]), 1.0)


def test_granularity_is_mean_over_detected_cases_only() -> None:
    cases = [case(0, 10, 0, 10), case(100, 110, 100, 110), case(200, 210, 200, 210)]
    dets = [case(0, 5, 0, 5), case(5, 10, 5, 10), case(100, 110, 100, 110)]
    s = score(cases, dets)
    assert math.isclose(s.granularity, 1.5)  # (2 + 1) / 2; the third case is undetected
    assert math.isclose(s.recall, 2 / 3)


def test_overlapping_detections_are_not_double_counted() -> None:
    s = score([case(0, 10, 0, 10)], [case(0, 6, 0, 6), case(4, 10, 4, 10)])
    assert close(s, 1, 1, 2, 1 / math.log2(3))


def test_empty_cases_and_detections_score_one() -> None:
    assert close(score([], []), 1, 1, 1, 1)


def test_only_one_side_empty_scores_zero() -> None:
    assert close(score([case(0, 10, 0, 10)], []), 0, 0, 1, 0)
    assert close(score([], [case(0, 10, 0, 10)]), 0, 0, 1, 0)


def test_spurious_detection_halves_precision() -> None:
    s = score([case(0, 10, 0, 10)], [case(0, 10, 0, 10), case(100, 110, 100, 110)])
    assert close(s, 1, 0.5, 1, 2 / 3)


def test_oversized_detection_lowers_precision() -> None:
    s = score([case(0, 10, 0, 10)], [case(0, 20, 0, 20)])
    assert close(s, 1, 0.5, 1, 2 / 3)


def test_detection_spanning_two_cases() -> None:
    cases = [case(0, 10, 0, 10), case(20, 30, 20, 30)]
    s = score(cases, [case(0, 30, 0, 30)])
    # each case fully covered; the detection covers 40 of its 60 characters
    assert close(s, 1, 40 / 60, 1, 0.8)


def test_pooled_overall_is_not_mean_of_subsets() -> None:
    sub_a = ([case(0, 10, 0, 10)], [case(0, 10, 0, 10)])
    sub_b = ([], [case(0, 5, 0, 5, pair=Q)] * 3)
    assert score(*sub_a).plagdet == 1.0
    assert score(*sub_b).plagdet == 0.0
    pooled = score(sub_a[0] + sub_b[0], sub_a[1] + sub_b[1])
    assert close(pooled, 1, 0.25, 1, 0.4)


def test_plagdet_function_and_from_passage() -> None:
    det = Case.from_passage(P, Passage(Span(0, 10), Span(5, 15), 0.9))
    assert det == case(0, 10, 5, 15)
    assert plagdet([det], [det]) == 1.0


def test_covered_merges_and_clips() -> None:
    assert covered(Span(10, 20), [Span(0, 12), Span(11, 14), Span(18, 40), Span(30, 50)]) == 6
    assert covered(Span(10, 20), []) == 0
    assert covered(Span(10, 20), [Span(0, 10), Span(20, 30)]) == 0


# --- metric: against a brute-force character-set reference --------------------------------


def _chars(c: Case) -> set[tuple[str, int]]:
    return {("s", i) for i in range(c.susp.start, c.susp.end)} | {
        ("r", i) for i in range(c.src.start, c.src.end)
    }


def _brute(cases: list[Case], dets: list[Case]) -> tuple[float, float, float]:
    def meet(s: Case, r: Case) -> set[tuple[str, int]]:
        detects = (
            s.pair == r.pair
            and max(s.susp.start, r.susp.start) < min(s.susp.end, r.susp.end)
            and max(s.src.start, r.src.start) < min(s.src.end, r.src.end)
        )
        return _chars(s) & _chars(r) if detects else set()

    rec = sum(len(set().union(*(meet(s, r) for r in dets))) / len(_chars(s)) for s in cases)
    prec = sum(len(set().union(*(meet(s, r) for s in cases))) / len(_chars(r)) for r in dets)
    counts = [sum(1 for r in dets if meet(s, r)) for s in cases]
    detected = [n for n in counts if n]
    gran = sum(detected) / len(detected) if detected else 1.0
    return rec / len(cases), prec / len(dets), gran


_span = st.tuples(st.integers(0, 30), st.integers(1, 12)).map(lambda t: Span(t[0], t[0] + t[1]))
_case = st.builds(Case, st.sampled_from([P, Q]), _span, _span)


@settings(max_examples=200, deadline=None)
@given(st.lists(_case, min_size=1, max_size=5), st.lists(_case, min_size=1, max_size=6))
def test_matches_brute_force_character_sets(cases: list[Case], dets: list[Case]) -> None:
    s = score(cases, dets)
    rec, prec, gran = _brute(cases, dets)
    assert math.isclose(s.recall, rec, abs_tol=1e-9)
    assert math.isclose(s.precision, prec, abs_tol=1e-9)
    assert math.isclose(s.granularity, gran, abs_tol=1e-9)
    assert 0.0 <= s.plagdet <= 1.0


# --- the runner on a synthetic corpus -----------------------------------------------------

COPIED = "Beta line — reused verbatim by the suspicious document, naïvely.\n"
SOURCES = {
    "source-document00001.txt": "Alpha line about a café in Zürich, long enough.\n" + COPIED,
    "source-document00002.txt": "Gamma line, unrelated content with naïve words.\nDelta filler.\n",
}
SUSPICIOUS = {
    # the non-ASCII prefix makes byte offsets differ from code point offsets
    "suspicious-document00001.txt": "Intro — “unique” text here, über.\n" + COPIED + "outro\n",
    "suspicious-document00002.txt": "Nothing shared at all in this one, really.\n",
    "suspicious-document00003.txt": "Gamma line, unrelated content with naïve words.\nbye\n",
}
# subset -> [(susp, src, reused text or None)]
SUBSETS: dict[str, list[tuple[str, str, str | None]]] = {
    "01-negative": [
        ("suspicious-document00002.txt", "source-document00001.txt", None),
        ("suspicious-document00002.txt", "source-document00002.txt", None),
        # shares a line, but no case: a false positive for the line aligner
        ("suspicious-document00003.txt", "source-document00002.txt", None),
    ],
    "02-copy": [
        ("suspicious-document00001.txt", "source-document00001.txt", COPIED),
        ("suspicious-document00001.txt", "source-document00002.txt", None),
    ],
}


def line_aligner(susp_text: str, src_text: str) -> list[Passage]:
    """Every source line of 20+ characters found verbatim in the suspicious text."""
    passages = []
    start = 0
    for line in src_text.splitlines(keepends=True):
        at = susp_text.find(line)
        if len(line) >= 20 and at >= 0:
            passages.append(Passage(Span(at, at + len(line)), Span(start, start + len(line)), 1.0))
        start += len(line)
    return passages


def truth_xml(susp: str, src: str, reused: str | None) -> str:
    features = ['<feature name="about" authors="x" />']
    if reused is not None:
        a, b = SUSPICIOUS[susp].index(reused), SOURCES[src].index(reused)
        features.append(
            f'<feature name="plagiarism" type="artificial" this_offset="{a}"'
            f' this_length="{len(reused)}" source_reference="{src}" source_offset="{b}"'
            f' source_length="{len(reused)}" />'
        )
    return f'<document reference="{susp}">\n' + "\n".join(features) + "\n</document>\n"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    for folder, docs in (("src", SOURCES), ("susp", SUSPICIOUS)):
        (root / folder).mkdir(parents=True)
        for name, text in docs.items():
            (root / folder / name).write_text(text, encoding="utf-8", newline="")
    for subset, pairs in SUBSETS.items():
        (root / subset).mkdir()
        (root / subset / "pairs").write_text("".join(f"{s} {r}\n" for s, r, _ in pairs))
        for susp, src, reused in pairs:
            (root / subset / truth_name(susp, src)).write_text(truth_xml(susp, src, reused))
    return root


def no_aligner(susp_text: str, src_text: str) -> list[Passage]:
    return []


def test_runner_scores_subsets_and_pools_overall(corpus: Path, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    out = tmp_path / "out"
    report = run_plagdet(
        corpus,
        out_dir=out,
        jobs=1,
        aligner=line_aligner,
        progress=lambda d, t: calls.append((d, t)),
    )
    assert report.pairs == 5
    assert list(report.subsets) == ["01-negative", "02-copy"]
    assert close(report.subsets["02-copy"], 1, 1, 1, 1)
    neg = report.subsets["01-negative"]
    assert (neg.cases, neg.detections, neg.plagdet) == (0, 1, 0.0)
    # pooled: recall 1/1, precision (1 + 0) / 2
    assert close(report.overall, 1, 0.5, 1, 2 / 3)
    assert calls[-1] == (5, 5)
    assert report.seconds > 0
    assert report.to_dict()["overall"]["detections"] == 2

    written = out / "02-copy" / truth_name(*SUBSETS["02-copy"][0][:2])
    susp, src, _ = SUBSETS["02-copy"][0]
    truth = read_truth(corpus / "02-copy" / written.name, susp, src)
    assert read_truth(written, susp, src, feature="detected-plagiarism") == truth
    assert len(list(out.rglob("*.xml"))) == 5


def test_runner_is_deterministic_across_jobs(corpus: Path) -> None:
    one = run_plagdet(corpus, jobs=1, aligner=line_aligner)
    two = run_plagdet(corpus, jobs=2, aligner=line_aligner)
    assert (one.subsets, one.overall) == (two.subsets, two.overall)
    assert two.jobs == 2


def test_runner_without_detections(corpus: Path) -> None:
    report = run_plagdet(corpus, jobs=1, aligner=no_aligner)
    assert close(report.subsets["01-negative"], 1, 1, 1, 1)
    assert close(report.subsets["02-copy"], 0, 0, 1, 0)
    assert report.overall.plagdet == 0.0


def test_runner_subsets_and_limit(corpus: Path) -> None:
    report = run_plagdet(corpus, jobs=1, aligner=line_aligner, subsets=["02-copy"], limit=1)
    assert report.pairs == 1
    assert list(report.subsets) == ["02-copy"]
    assert run_plagdet(corpus, jobs=1, aligner=no_aligner, limit=1).pairs == 2


def test_runner_default_aligner_runs(corpus: Path) -> None:
    report = run_plagdet(corpus, jobs=1)
    assert report.pairs == 5
    assert report.overall.cases == 1


# --- bad corpora --------------------------------------------------------------------------


def _raises(corpus: Path, match: str, **kwargs: object) -> InputError:
    with pytest.raises(InputError, match=match) as info:
        run_plagdet(corpus, jobs=1, aligner=no_aligner, **kwargs)  # type: ignore[arg-type]
    return info.value


def test_missing_corpus_dir(tmp_path: Path) -> None:
    _raises(tmp_path / "nope", "not found")


def test_corpus_without_subsets(corpus: Path) -> None:
    for subset in SUBSETS:
        (corpus / subset / "pairs").unlink()
    _raises(corpus, "no subset folders")


def test_unknown_subset(corpus: Path) -> None:
    _raises(corpus, "no subset '03-x'", subsets=["03-x"])


def test_pairs_naming_missing_document(corpus: Path) -> None:
    pairs = corpus / "02-copy" / "pairs"
    pairs.write_text(pairs.read_text() + "suspicious-document00009.txt source-document00001.txt\n")
    err = _raises(corpus, "susp/suspicious-document00009.txt not found")
    assert (err.source, err.line) == (str(pairs), 3)


def test_malformed_pairs_line(corpus: Path) -> None:
    (corpus / "02-copy" / "pairs").write_text("just-one-name.txt\n")
    assert _raises(corpus, "expected").line == 1


def test_malformed_truth_xml(corpus: Path) -> None:
    susp, src, _ = SUBSETS["02-copy"][0]
    path = corpus / "02-copy" / truth_name(susp, src)
    path.write_text('<document reference="x">\n<feature name="plagiarism"\n')
    err = _raises(corpus, "malformed XML")
    assert err.source == str(path)


def test_truth_with_bad_offset(corpus: Path) -> None:
    susp, src, _ = SUBSETS["02-copy"][0]
    path = corpus / "02-copy" / truth_name(susp, src)
    path.write_text(path.read_text().replace('this_length="', 'this_length="-'))
    _raises(corpus, "negative")


def test_truth_beyond_document_end(corpus: Path) -> None:
    susp, src, _ = SUBSETS["02-copy"][0]
    path = corpus / "02-copy" / truth_name(susp, src)
    path.write_text(path.read_text().replace('this_offset="', 'this_offset="9'))
    err = _raises(corpus, "exceeds the suspicious document")
    assert err.source == str(path)


def test_undecodable_document(corpus: Path) -> None:
    bad = corpus / "src" / "source-document00002.txt"
    bad.write_bytes(b"caf\xe9\n")
    _raises(corpus, "not valid UTF-8")
    with pytest.raises(InputError, match="not valid UTF-8") as info:  # raised in a worker
        run_plagdet(corpus, jobs=2, aligner=no_aligner)
    assert info.value.source == str(bad)

"""wiretrace.report.diff: word-level edits inside a passage, as spans of both original texts."""

from __future__ import annotations

import bisect

from hypothesis import given, settings
from hypothesis import strategies as st

from wiretrace.model import Passage, Span
from wiretrace.report.diff import Edit, passage_edits, uncovered
from wiretrace.text.tokens import tokenize


def edits(a: str, b: str, passage: Passage | None = None) -> list[Edit]:
    passage = passage or Passage(Span(0, len(a)), Span(0, len(b)), 1.0)
    return passage_edits(tokenize(a), tokenize(b), passage)


def shown(a: str, b: str, found: list[Edit]) -> list[tuple[str, str, str]]:
    return [(e.kind, a[e.a.start : e.a.end], b[e.b.start : e.b.end]) for e in found]


def test_a_substituted_verb_is_one_replace_spanning_exactly_the_words() -> None:
    a = "Das sei ein gutes Zeichen, betonte Hollande nach dem Treffen."
    b = "Das sei ein gutes Zeichen, sagte Hollande nach dem Treffen."
    found = edits(a, b)
    assert found == [Edit("replace", Span(27, 34), Span(27, 32))]
    assert shown(a, b, found) == [("replace", "betonte", "sagte")]


def test_an_inserted_phrase_is_one_insert_with_an_empty_span_where_it_goes() -> None:
    a = "Nach den Anschlägen von Paris wolle man enger zusammenarbeiten."
    b = "Nach den Anschlägen von Paris mit mehr als 130 Toten wolle man enger zusammenarbeiten."
    found = edits(a, b)
    assert shown(a, b, found) == [("insert", "", "mit mehr als 130 Toten")]
    assert found[0].a == Span(a.index("wolle"), a.index("wolle"))  # before the next word


def test_a_removed_phrase_is_one_delete() -> None:
    a = "Nach den Anschlägen von Paris mit mehr als 130 Toten wolle man enger zusammenarbeiten."
    b = "Nach den Anschlägen von Paris wolle man enger zusammenarbeiten."
    found = edits(a, b)
    assert shown(a, b, found) == [("delete", "mit mehr als 130 Toten", "")]
    assert found[0].b == Span(b.index("wolle"), b.index("wolle"))


def test_an_insertion_at_the_end_sits_at_the_passage_end() -> None:
    a = "Die Bahn stellte den Verkehr ein."
    b = "Die Bahn stellte den Verkehr ein, teilte sie mit."
    found = edits(a, b)
    assert shown(a, b, found) == [("insert", "", "teilte sie mit")]
    assert found[0].a == Span(len(a), len(a))


def test_several_edits_come_in_text_order() -> None:
    a = "Bürgermeisterin Thiessen betonte, die Wände hätten gehalten. Die Planungen ruhen."
    b = "Bürgermeisterin Anke Thiessen sagte, die neuen Wände hätten gehalten. Die Planungen ruhen."
    assert shown(a, b, edits(a, b)) == [
        ("insert", "", "Anke"),
        ("replace", "betonte", "sagte"),
        ("insert", "", "neuen"),
    ]


def test_case_quotes_dashes_and_line_wrapping_are_not_differences() -> None:
    a = "„Wir sind bereit“, sagte er – am Dienstag in Moskau."
    b = '"wir SIND bereit",\nsagte er - am\n  Dienstag in Moskau.'
    assert edits(a, b) == []


def test_only_the_passage_is_compared() -> None:
    a = "Ganz anderer Anfang hier. Der Rat hat den Haushalt beschlossen."
    b = "Der Rat hat den Haushalt beschlossen. Und ein anderes Ende."
    start = a.index("Der")
    passage = Passage(Span(start, len(a)), Span(0, b.index(" Und")), 1.0)
    assert edits(a, b, passage) == []
    wider = Passage(Span(0, len(a)), Span(0, len(b)), 1.0)
    assert {e.kind for e in edits(a, b, wider)} == {"delete", "insert"}


WORDS = st.sampled_from(
    ["der", "die", "Rat", "Haushalt", "Moskau", "sagte", "betonte", "130", "Toten", "„in“", "über"]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(WORDS, max_size=15), st.lists(WORDS, max_size=15))
def test_applying_the_edits_to_side_a_gives_side_b(wa: list[str], wb: list[str]) -> None:
    """Replaying the edits on a's words yields exactly b's words: nothing lost, nothing extra."""
    a, b = " ".join(wa), " ".join(wb)
    ta, tb = tokenize(a), tokenize(b)
    starts_a, starts_b = ta.starts.tolist(), tb.starts.tolist()
    ends_a = ta.ends.tolist()

    def forms_in(tokens_forms: list[str], starts: list[int], span: Span) -> list[str]:
        lo = bisect.bisect_left(starts, span.start)
        hi = bisect.bisect_left(starts, span.end)
        return tokens_forms[lo:hi]

    out: list[str] = []
    pos = 0  # next token of a not yet copied
    for e in passage_edits(ta, tb, Passage(Span(0, len(a)), Span(0, len(b)), 1.0)):
        assert e.kind in {"replace", "insert", "delete"}
        first = bisect.bisect_left(starts_a, e.a.start)
        assert first >= pos, "edits are in text order and do not overlap"
        out += ta.forms[pos:first]
        removed = forms_in(ta.forms, starts_a, e.a)
        added = forms_in(tb.forms, starts_b, e.b)
        assert (e.kind == "insert") == (not removed) and (e.kind == "delete") == (not added)
        if removed:  # a non-empty span runs from a token start to a token end
            assert e.a.start in starts_a and e.a.end in ends_a
        out += added
        pos = first + len(removed)
    out += ta.forms[pos:]
    assert out == tb.forms


def test_uncovered_lists_the_gaps_between_passages() -> None:
    assert uncovered(10, [Span(8, 10), Span(2, 4), Span(3, 6)]) == [Span(0, 2), Span(6, 8)]
    assert uncovered(5, []) == [Span(0, 5)]
    assert uncovered(5, [Span(0, 5)]) == []
    assert uncovered(0, []) == []
    assert uncovered(7, [Span(0, 3), Span(3, 5)]) == [Span(5, 7)]

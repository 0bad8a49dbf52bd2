"""wiretrace.text.sentences: sentence boundaries as character offsets of the untouched text."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wiretrace.text.sentences import sentence_spans

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text).tolist()]


def test_shape_and_dtype() -> None:
    spans = sentence_spans("Ein Satz. Noch einer.")
    assert spans.dtype == np.int32 and spans.shape == (2, 2)
    assert sentence_spans("").shape == (0, 2)
    assert sentence_spans(" \n\n\t ").shape == (0, 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Es gibt Obst, z. B. Äpfel und Birnen. Das ist gut.",
            ["Es gibt Obst, z. B. Äpfel und Birnen.", "Das ist gut."],
        ),
        (
            "Dr. Müller kam um 9 Uhr. Prof. Schmidt nicht.",
            ["Dr. Müller kam um 9 Uhr.", "Prof. Schmidt nicht."],
        ),
        ("Mr. Smith met J. R. Doe. They talked.", ["Mr. Smith met J. R. Doe.", "They talked."]),
        ("Es kostet 3 Mio. Euro. Das ist viel.", ["Es kostet 3 Mio. Euro.", "Das ist viel."]),
    ],
    ids=["z. B.", "Dr. Prof.", "initials", "Mio."],
)
def test_abbreviations_and_initials_do_not_end_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_german_ordinal_dates_do_not_end_sentences() -> None:
    text = "Das Treffen fand am 26. November 2015 in Moskau statt. Am 3. Mai reiste er ab."
    assert sentences(text) == [
        "Das Treffen fand am 26. November 2015 in Moskau statt.",
        "Am 3. Mai reiste er ab.",
    ]


def test_a_year_after_a_period_starts_a_sentence() -> None:
    text = "Der Pegel stieg auf 6,38 Meter. 1981 war es ähnlich."
    assert sentences(text) == ["Der Pegel stieg auf 6,38 Meter.", "1981 war es ähnlich."]


def test_a_lower_case_word_after_a_period_continues_the_sentence() -> None:
    assert sentences("Das ist gut. und dann weiter.") == ["Das ist gut. und dann weiter."]


def test_question_exclamation_ellipsis_and_closing_quotes() -> None:
    assert sentences("Wirklich? Ja! Nun… Weiter.") == ["Wirklich?", "Ja!", "Nun…", "Weiter."]
    text = "„Wir sind bereit.“ Er ging. (Das war klar.) Dann kam „Nichts“. – Doch."
    assert sentences(text) == [
        "„Wir sind bereit.“",
        "Er ging.",
        "(Das war klar.)",
        "Dann kam „Nichts“.",
        "– Doch.",
    ]


def test_a_short_line_without_final_punctuation_is_a_heading() -> None:
    text = "Hochwasser in Brackenfeld\nDie Ramse ist über die Ufer getreten. Es regnet."
    assert sentences(text) == [
        "Hochwasser in Brackenfeld",
        "Die Ramse ist über die Ufer getreten.",
        "Es regnet.",
    ]


def test_a_line_ending_in_a_comma_is_not_a_heading() -> None:
    assert sentences("Teil eins, \nTeil zwei folgt hier.") == ["Teil eins, \nTeil zwei folgt hier."]


def test_paragraph_breaks_are_boundaries_even_without_punctuation() -> None:
    text = "Erster Absatz ohne Punkt\n\nzweiter absatz klein\n \t\nDritter."
    assert sentences(text) == ["Erster Absatz ohne Punkt", "zweiter absatz klein", "Dritter."]


def test_hard_wrapped_paragraphs_split_like_unwrapped_ones() -> None:
    """The Kurier copies six wire paragraphs with e-paper line breaks (most lines under 60
    characters, many followed by a capitalised noun): the same sentences as the wire."""
    corpus = {
        a["id"]: a["text"]
        for a in map(json.loads, (EXAMPLES / "corpus.jsonl").read_text("utf-8").splitlines())
    }
    wire = corpus["flood-wire"][428:2925]
    kurier = corpus["flood-kurier"][427:2924]
    assert "\n" in kurier and " ".join(wire.split()) == " ".join(kurier.split())
    flat = [" ".join(s.split()) for s in sentences(kurier)]
    assert flat == sentences(wire)
    assert len(flat) == 23


def test_spans_exclude_surrounding_whitespace() -> None:
    text = "  \n Ein Satz.  \n\n  Noch einer.  "
    assert sentences(text) == ["Ein Satz.", "Noch einer."]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            list('abc XYZ ÄÖÜ äöß 12 . . ! ? … , ; : – - „ “ " » « ( ) \n \n\n z. B. Dr. 26. ')
            + ["\n\n", "z. B.", "Dr.", "26.", "Mio.", "  "]
        ),
        max_size=80,
    ).map("".join)
)
def test_spans_cover_every_non_space_character_once_in_order(text: str) -> None:
    spans = sentence_spans(text).tolist()
    covered = [False] * len(text)
    prev_end = 0
    for s, e in spans:
        assert prev_end <= s < e <= len(text), spans
        assert not text[s].isspace() and not text[e - 1].isspace()
        for i in range(s, e):
            covered[i] = True
        prev_end = e
    assert all(covered[i] or ch.isspace() for i, ch in enumerate(text))
    assert sentence_spans(text).tolist() == spans  # deterministic

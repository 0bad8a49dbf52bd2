"""wiretrace.text.tokens: word tokens whose spans point into the text exactly as read."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wiretrace.text.tokens import normalize_form, stable_hash, tokenize


def raw(text: str) -> list[str]:
    """The original spelling of every token: the text its span points to."""
    t = tokenize(text)
    return [text[s:e] for s, e in zip(t.starts.tolist(), t.ends.tolist(), strict=True)]


def test_forms_and_spans_of_a_german_sentence() -> None:
    text = "„Wir sind uns einig“, betonte Hollande am 26. November in Moskau."
    t = tokenize(text)
    assert t.forms == [
        "wir", "sind", "uns", "einig", "betonte", "hollande", "am", "26", "november", "in", "moskau",
    ]  # fmt: skip
    assert raw(text) == [
        "Wir", "sind", "uns", "einig", "betonte", "Hollande", "am", "26", "November", "in", "Moskau",
    ]  # fmt: skip
    assert len(t) == 11
    assert t.starts.dtype == np.int32 and t.ends.dtype == np.int32 and t.ids.dtype == np.uint64


def test_empty_and_punctuation_only_texts_have_no_tokens() -> None:
    for text in ("", "   \n\n ", "„“ – … !?"):
        t = tokenize(text)
        assert len(t) == 0 and t.forms == [] and len(t.starts) == len(t.ids) == 0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            list("abcXYZäöüßÄÖÜéç 019\n\t-–—.,;:!?„“\"'«»‚‘’()") + ["\u00ad", "e\u0301", "\r\n"]
        ),
        max_size=120,
    ).map("".join)
)
def test_spans_map_back_to_the_original_text(text: str) -> None:
    """Every span is a valid, ordered, non-overlapping slice whose text normalises to the form."""
    t = tokenize(text)
    assert len(t.forms) == len(t.starts) == len(t.ends) == len(t.ids)
    prev_end = 0
    for form, s, e in zip(t.forms, t.starts.tolist(), t.ends.tolist(), strict=True):
        assert prev_end <= s < e <= len(text)
        assert normalize_form(text[s:e]) == form
        assert form and form == form.casefold()
        assert not text[s].isspace() and not text[e - 1].isspace()
        prev_end = e


def test_nfc_and_nfd_spellings_give_equal_forms_and_ids() -> None:
    nfc = "Käse aus Zürich für Émile"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc and len(nfd) > len(nfc)
    a, b = tokenize(nfc), tokenize(nfd)
    assert a.forms == b.forms == ["käse", "aus", "zürich", "für", "émile"]
    assert a.ids.tolist() == b.ids.tolist()
    # The NFD spans still point into the NFD text: the combining marks are inside the token.
    assert raw(nfd) == nfd.split()


def test_case_folding() -> None:
    assert tokenize("STRASSE Straße strasse").forms == ["strasse"] * 3
    assert tokenize("HOLLANDE Hollande hollande").ids.tolist() == [stable_hash("hollande")] * 3


@pytest.mark.parametrize("joiner", ["\u00ad", "\u00ad\n", "-\n", "-\r\n", "- \n  "])
def test_soft_hyphen_and_line_end_hyphenation_join_one_word(joiner: str) -> None:
    text = f"Die Zusam{joiner}menarbeit wächst."
    t = tokenize(text)
    assert t.forms == ["die", "zusammenarbeit", "wächst"]
    # The span covers both parts and the joiner between them.
    assert raw(text)[1] == f"Zusam{joiner}menarbeit"


def test_hyphen_at_line_end_before_a_capital_keeps_two_words() -> None:
    """ "CDU-\\nPolitiker" is a compound split at its hyphen, not a hyphenated word."""
    text = "Der CDU-\nPolitiker sprach."
    assert tokenize(text).forms == ["der", "cdu", "politiker", "sprach"]
    assert raw(text)[1:3] == ["CDU", "Politiker"]


def test_hyphen_before_a_blank_line_does_not_join_paragraphs() -> None:
    assert tokenize("Ende des Absatzes -\n\nneuer Absatz").forms == [
        "ende", "des", "absatzes", "neuer", "absatz",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "quoted",
    ["„Wort“", '"Wort"', "«Wort»", "»Wort«", "‚Wort‘", "'Wort'", "“Wort”", "(Wort)", "[Wort]"],
)
def test_quotes_and_brackets_are_separators(quoted: str) -> None:
    text = f"Ein {quoted} hier."
    assert tokenize(text).forms == ["ein", "wort", "hier"]
    assert raw(text)[1] == "Wort"


@pytest.mark.parametrize("dash", ["-", "–", "—", " – ", " - "])
def test_dashes_are_separators(dash: str) -> None:
    assert tokenize(f"Berlin{dash}Moskau").forms == ["berlin", "moskau"]


def test_apostrophes_underscores_and_digit_groups_are_separators() -> None:
    assert tokenize("l’Élysée Macron's foo_bar 6,38 4.30").forms == [
        "l", "élysée", "macron", "s", "foo", "bar", "6", "38", "4", "30",
    ]  # fmt: skip


def test_rewrapped_and_requoted_texts_give_the_same_tokens() -> None:
    a = "„Wir haben eine ernste, aber beherrschbare Lage“, sagte Landrat Henning Voßkamp."
    b = '"Wir haben eine ernste, aber\nbeherrschbare Lage", sagte\n   Landrat Henning Voßkamp.'
    assert tokenize(a).forms == tokenize(b).forms
    assert tokenize(a).ids.tolist() == tokenize(b).ids.tolist()


def test_ids_are_stable_hashes_of_the_forms() -> None:
    text = "Hollande traf Putin in Moskau; Hollande sprach."
    first, second = tokenize(text), tokenize(text)
    assert first.ids.tolist() == second.ids.tolist()
    assert first.ids.tolist() == [stable_hash(f) for f in first.forms]
    assert first.ids[0] == first.ids[5]  # the same word, the same id
    assert len(set(first.ids.tolist())) == len(set(first.forms))
    # xxh3-64 of the UTF-8 form: fixed across processes, machines and Python versions (stored
    # fingerprints depend on it), unlike the salted built-in hash().
    assert stable_hash("hollande") == 8889199183184627181


# A word as first defined: a run of single characters, each a letter/digit or a combining mark
# (the module writes the same class as runs of either kind, which the regex engine scans faster).
_PER_CHARACTER = r"(?:[^\W_]|[\u0300-\u036f])+"
_JOINER_REFERENCE = r"(?:\u00ad[\s]*|-[ \t]*\r?\n[ \t]*(?=[^\W\d_A-ZÄÖÜÀ-ÞА-Я]))"


@settings(max_examples=400)
@given(
    st.lists(
        st.sampled_from(
            [
                "a",
                "Z",
                "ä",
                "1",
                "_",
                "-",
                "\n",
                " ",
                "\u00ad",
                "\u0301",
                "\u0308",
                ".",
                "„",
                "\t",
                "\r",
                "É",
                "я",
                "ß",
            ]
        ),  # fmt: skip
        max_size=40,
    ).map("".join)
)
def test_words_are_the_runs_of_letters_digits_and_combining_marks(text: str) -> None:
    reference = re.compile(rf"{_PER_CHARACTER}(?:{_JOINER_REFERENCE}{_PER_CHARACTER})*")
    expected = [m.group() for m in reference.finditer(text)]
    assert raw(text) == expected

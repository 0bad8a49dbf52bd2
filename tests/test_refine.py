"""wiretrace.reuse.refine: word-exact passage boundaries from matched token blocks."""

from __future__ import annotations

import numpy as np
import pytest

from wiretrace.model import Span
from wiretrace.reuse.prepared import PreparedText, prepare
from wiretrace.reuse.refine import dense_segments, matched_blocks, refined_spans


def blocks_of(a: PreparedText, b: PreparedText) -> np.ndarray:
    return matched_blocks(a, (0, len(a.tokens)), b, (0, len(b.tokens)))


def rows(*r: tuple[int, int, int]) -> np.ndarray:
    return np.asarray(r, dtype=np.int64).reshape(-1, 3)


def text_of(p: PreparedText, span: Span) -> str:
    return p.text[span.start : span.end]


# --- matched_blocks ---------------------------------------------------------------------------


def test_identical_texts_match_in_one_block() -> None:
    a = prepare("Der Rat hat am Dienstag den Haushalt beschlossen.")
    assert blocks_of(a, a).tolist() == [[0, 0, 8]]


def test_case_quotes_dashes_and_line_wrapping_are_not_differences() -> None:
    a = prepare("„Wir sind bereit“, sagte er – am Dienstag in Moskau.")
    b = prepare('"wir SIND bereit",\nsagte er - am\n  Dienstag in Moskau.')
    assert blocks_of(a, b).tolist() == [[0, 0, 9]]


def test_a_substituted_word_splits_the_match_into_two_blocks() -> None:
    a = prepare("Bürgermeisterin Thiessen betonte, die Wände hätten gehalten.")
    b = prepare("Bürgermeisterin Thiessen sagte, die Wände hätten gehalten.")
    assert blocks_of(a, b).tolist() == [[0, 0, 2], [3, 3, 4]]


def test_block_offsets_are_token_indices_of_the_whole_texts() -> None:
    a = prepare("Eins zwei drei vier fünf sechs sieben acht.")
    b = prepare("Ganz anders: fünf sechs sieben.")
    got = matched_blocks(a, (3, 8), b, (2, 5))
    assert got.tolist() == [[4, 2, 3]]  # "fünf sechs sieben": token 4 in a, token 2 in b
    assert matched_blocks(a, (0, 0), b, (0, 5)).shape == (0, 3)


# --- dense_segments ---------------------------------------------------------------------------


def test_blocks_close_together_form_one_segment() -> None:
    segs = dense_segments(rows((0, 0, 5), (7, 9, 3), (28, 30, 4)), 20, 2)
    assert [s.tolist() for s in segs] == [[[0, 0, 5], [7, 9, 3], [28, 30, 4]]]


@pytest.mark.parametrize(
    "far",
    [(40, 12, 4), (12, 40, 4)],
    ids=["gap-in-a", "gap-in-b"],
)
def test_a_large_gap_on_either_side_starts_a_new_segment(far: tuple[int, int, int]) -> None:
    segs = dense_segments(rows((0, 0, 5), (6, 6, 2), far), 20, 2)
    assert [s.tolist() for s in segs] == [[[0, 0, 5], [6, 6, 2]], [list(far)]]


def test_a_gap_of_exactly_max_gap_does_not_split() -> None:
    segs = dense_segments(rows((0, 0, 5), (25, 25, 3)), 20, 2)  # 20 tokens between
    assert len(segs) == 1
    assert len(dense_segments(rows((0, 0, 5), (26, 26, 3)), 20, 2)) == 2


def test_blocks_shorter_than_min_block_are_ignored() -> None:
    segs = dense_segments(rows((0, 0, 5), (6, 6, 1), (8, 8, 3), (50, 50, 1)), 20, 2)
    assert [s.tolist() for s in segs] == [[[0, 0, 5], [8, 8, 3]]]
    assert dense_segments(rows((0, 0, 1), (5, 5, 1)), 20, 2) == []
    assert dense_segments(rows(), 20, 2) == []


# --- refined_spans ----------------------------------------------------------------------------


def refine(text_a: str, text_b: str, snap: int = 6) -> tuple[str, str]:
    """Refined passage text on both sides. Sentences need >= 3 words (min_sentence_tokens):
    shorter ones are joined to their neighbour before alignment."""
    a, b = prepare(text_a), prepare(text_b)
    kept = np.concatenate(dense_segments(blocks_of(a, b), 20, 2))
    sa, sb = refined_spans(a, b, kept, snap)
    return text_of(a, sa), text_of(b, sb)


def test_whole_shared_sentences_get_sentence_spans_with_their_punctuation() -> None:
    got = refine(
        "Vorher etwas völlig anderes hier. Der Rat hat den Haushalt beschlossen. Danach ging es um Neues.",
        "Ganz neu ist das. „Der Rat hat den Haushalt beschlossen.“ Sonst nichts weiter.",
    )
    assert got == (
        "Der Rat hat den Haushalt beschlossen.",
        "„Der Rat hat den Haushalt beschlossen.“",
    )


def test_words_added_on_one_side_only_are_not_part_of_the_passage() -> None:
    """One side starts on its sentence boundary: the other side's extra opening was added."""
    got = refine(
        "Der Rat hat den Haushalt beschlossen.",
        "Am Abend hieß es, der Rat hat den Haushalt beschlossen.",
    )
    assert got == ("Der Rat hat den Haushalt beschlossen.", "der Rat hat den Haushalt beschlossen.")


def test_an_edited_sentence_opening_belongs_to_the_passage() -> None:
    got = refine(
        "Man sei übereingekommen, den Haushalt zu beschließen. Danach ging es um Schulen.",
        "Man habe vereinbart, den Haushalt zu beschließen. Dann kam etwas anderes.",
    )
    assert got == (
        "Man sei übereingekommen, den Haushalt zu beschließen.",
        "Man habe vereinbart, den Haushalt zu beschließen.",
    )


def test_an_edited_opening_with_an_inserted_phrase_belongs_to_the_passage() -> None:
    got = refine(
        "Man sei übereingekommen, den Haushalt zu beschließen.",
        "Man habe nach langer Debatte im Rat vereinbart, den Haushalt zu beschließen.",
    )
    assert got[1] == "Man habe nach langer Debatte im Rat vereinbart, den Haushalt zu beschließen."


def test_a_long_edited_opening_is_not_snapped() -> None:
    """More unmatched words than the snap limit allows: the passage starts at the shared words."""
    got = refine(
        "Man sei übereingekommen, den Haushalt zu beschließen.",
        "Man habe vereinbart, den Haushalt zu beschließen.",
        snap=1,
    )
    assert got == ("den Haushalt zu beschließen.", "den Haushalt zu beschließen.")


def test_an_edited_sentence_end_belongs_to_the_passage() -> None:
    got = refine(
        "Die Planungen ruhen seit einem Streit mit dem Eigentümer vorerst. Neues Thema hier.",
        "Die Planungen ruhen seit einem Streit mit dem Eigentümer auf Eis. Dann kam Anderes.",
    )
    assert got == (
        "Die Planungen ruhen seit einem Streit mit dem Eigentümer vorerst.",
        "Die Planungen ruhen seit einem Streit mit dem Eigentümer auf Eis.",
    )


def test_words_appended_on_one_side_only_are_not_part_of_the_passage() -> None:
    got = refine(
        "Die Planungen ruhen seit einem Streit mit dem Eigentümer. Neues Thema hier.",
        "Die Planungen ruhen seit einem Streit mit dem Eigentümer auf Eis. Dann kam Anderes.",
    )
    assert got == (
        "Die Planungen ruhen seit einem Streit mit dem Eigentümer.",
        "Die Planungen ruhen seit einem Streit mit dem Eigentümer",
    )

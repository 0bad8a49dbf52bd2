"""The cheap whole-text path for near-copies agrees with the full aligner on what it reports."""

from __future__ import annotations

from wiretrace.reuse.align import align_near_duplicates, align_prepared, prepare

TEXT = (
    "Der Stadtrat von Brackenfeld hat am Montagabend den Haushalt für das kommende Jahr "
    "beschlossen. Die Mehrheit aus drei Fraktionen stimmte für den Entwurf der Kämmerin. "
    "Umstritten blieb bis zuletzt die Sanierung des Hallenbads, die nun in zwei Abschnitten "
    "erfolgen soll. Die Opposition kritisierte die neuen Schulden als zu hoch. "
    "Der Kreis muss den Haushalt noch genehmigen, was im Frühjahr erwartet wird."
)


def test_a_near_copy_is_one_passage_over_both_texts() -> None:
    copy = TEXT.replace("Montagabend", "Montag").replace("zu hoch", "deutlich zu hoch")
    a, b = prepare(TEXT), prepare(copy)
    fast = align_near_duplicates(a, b)
    assert fast is not None and len(fast) == 1
    (p,) = fast
    assert (p.a.start, p.a.end, p.b.start, p.b.end) == (0, len(TEXT), 0, len(copy))
    (full,) = align_prepared(a, b)
    assert (full.a, full.b) == (p.a, p.b)
    assert 0.8 < p.similarity < 1.0


def test_texts_that_are_not_copies_fall_back_to_the_full_aligner() -> None:
    other = "Ganz anderer Text über das Wetter am Wochenende. " * 6
    assert align_near_duplicates(prepare(TEXT), prepare(other)) is None

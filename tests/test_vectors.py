"""Sentence and fragment similarities of a text pair equal their definition, and the cosine
bound that skips hopeless sentence pairs changes no alignment.

The definition, computed here the slow way: a sentence's vector holds, for each distinct content
stem, ``tf * log(N / sf)``, with N the sentences of both texts and sf those holding the stem;
candidates are the sentence pairs sharing a stem found in at most ``max_pairs_per_term``
sentence pairs. Texts are the bundled fictional corpus, plus a long "ticker" made of all its
articles in a row, which gives the many weak candidates the bound is for.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import wiretrace.reuse.align as align_module
from wiretrace.io.readers import load_corpus
from wiretrace.reuse.align import align_prepared
from wiretrace.reuse.prepared import PreparedText, prepare
from wiretrace.reuse.vectors import SentenceSimilarities, pair_space
from wiretrace.settings import AlignSettings

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SETTINGS = AlignSettings()


@pytest.fixture(scope="module")
def texts() -> dict[str, PreparedText]:
    corpus = load_corpus(EXAMPLES / "corpus.jsonl")
    prepared = {aid: prepare(article.text, SETTINGS) for aid, article in sorted(corpus.items())}
    ticker = "\n\n".join(article.text for _, article in sorted(corpus.items()))
    prepared["ticker"] = prepare(ticker, SETTINGS)
    return prepared


def _sentence_vectors(p: PreparedText) -> list[Counter[int]]:
    vectors: list[Counter[int]] = [Counter() for _ in range(len(p.sentences))]
    for s, t, c in zip(
        p.term_sentence.tolist(), p.term_index.tolist(), p.term_count.tolist(), strict=True
    ):
        vectors[s][int(p.terms[t])] = c
    return vectors


def _by_definition(a: PreparedText, b: PreparedText) -> dict[tuple[int, int], tuple[float, float]]:
    """(cosine, dice) of every candidate sentence pair, from the definition."""
    va, vb = _sentence_vectors(a), _sentence_vectors(b)
    sf_a = Counter(t for v in va for t in v)
    sf_b = Counter(t for v in vb for t in v)
    n = len(va) + len(vb)

    def weighted(v: Counter[int]) -> dict[int, float]:
        return {t: c * math.log(n / (sf_a[t] + sf_b[t])) for t, c in v.items()}

    wa, wb = [weighted(v) for v in va], [weighted(v) for v in vb]
    anchors = {t for t in sf_a if sf_b[t] and sf_a[t] * sf_b[t] <= SETTINGS.max_pairs_per_term}
    found = {}
    for i, x in enumerate(wa):
        for j, y in enumerate(wb):
            shared = x.keys() & y.keys()
            if not shared & anchors:
                continue
            norms = math.sqrt(sum(w * w for w in x.values())) * math.sqrt(
                sum(w * w for w in y.values())
            )
            cosine = sum(x[t] * y[t] for t in shared) / norms if norms else 0.0
            found[i, j] = (cosine, 2 * len(shared) / (len(x) + len(y)))
    return found


def _values(sims: SentenceSimilarities) -> dict[int, tuple[float, float]]:
    pairs = zip(sims.cosine.tolist(), sims.dice.tolist(), strict=True)
    return dict(zip(sims.row_keys.tolist(), pairs, strict=True))


PAIRS = [("flood-wire", "flood-kurier"), ("flood-wire", "ticker"), ("ticker", "flood-kurier")]


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: "-".join(p))
def test_sentence_similarities_equal_the_definition(
    texts: dict[str, PreparedText], pair: tuple[str, str]
) -> None:
    a, b = texts[pair[0]], texts[pair[1]]
    sims = pair_space(a, b).sentence_similarities(SETTINGS.max_pairs_per_term)
    expected = _by_definition(a, b)
    assert len(expected) > 20
    got = {
        (i, j): (c, d)
        for i, j, c, d in zip(
            sims.rows.tolist(), sims.cols.tolist(), sims.cosine, sims.dice, strict=True
        )
    }
    assert got.keys() == expected.keys()
    for key, (cosine, dice) in expected.items():
        assert got[key][0] == pytest.approx(cosine, abs=1e-12)
        assert got[key][1] == pytest.approx(dice, abs=1e-12)


@pytest.mark.parametrize("max_pairs", [SETTINGS.max_pairs_per_term, 2])
@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: "-".join(p))
def test_the_cosine_bound_keeps_every_pair_above_it_with_the_same_values(
    texts: dict[str, PreparedText], pair: tuple[str, str], max_pairs: int
) -> None:
    """With few anchors (max_pairs 2), most of a pair's similarity comes from shared terms
    that are not anchors: the bound must count them."""
    space = pair_space(texts[pair[0]], texts[pair[1]])
    full = space.sentence_similarities(max_pairs)
    bounded = space.sentence_similarities(max_pairs, min_cosine=0.2)
    everything, kept = _values(full), _values(bounded)
    assert {k for k, (c, _) in everything.items() if c >= 0.2} <= kept.keys()
    assert all(everything[k] == v for k, v in kept.items())
    if pair[1] == "ticker" and max_pairs > 2:  # many weak candidates: the bound must skip some
        assert len(kept) < len(everything) / 2


def test_fragment_cosine_equals_the_definition(texts: dict[str, PreparedText]) -> None:
    a, b = texts["flood-wire"], texts["ticker"]
    space = pair_space(a, b)
    va, vb = _sentence_vectors(a), _sentence_vectors(b)
    sf = Counter(t for v in va + vb for t in v)
    n = len(va) + len(vb)
    rng = np.random.default_rng(7)
    for _ in range(50):
        a0 = int(rng.integers(0, len(va)))
        a1 = int(rng.integers(a0 + 1, len(va) + 1))
        b0 = int(rng.integers(0, len(vb)))
        b1 = int(rng.integers(b0 + 1, len(vb) + 1))
        x: Counter[int] = sum(va[a0:a1], Counter())
        y: Counter[int] = sum(vb[b0:b1], Counter())
        wx = {t: c * math.log(n / sf[t]) for t, c in x.items()}
        wy = {t: c * math.log(n / sf[t]) for t, c in y.items()}
        norms = math.sqrt(sum(w * w for w in wx.values()) * sum(w * w for w in wy.values()))
        expected = sum(wx[t] * wy[t] for t in wx.keys() & wy.keys()) / norms if norms else 0.0
        assert space.fragment_cosine((a0, a1), (b0, b1)) == pytest.approx(expected, abs=1e-12)


def test_aligning_with_the_cosine_bound_finds_exactly_what_aligning_without_it_finds(
    texts: dict[str, PreparedText], monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = sorted(texts)
    pairs = [(x, y) for x in ids for y in ids if x < y] + [("ticker", "flood-wire")]
    with_bound = [align_prepared(texts[x], texts[y], SETTINGS) for x, y in pairs]
    monkeypatch.setattr(align_module, "_min_cosine", lambda settings: 0.0)
    without = [align_prepared(texts[x], texts[y], SETTINGS) for x, y in pairs]
    assert sum(map(bool, with_bound)) >= 10  # the corpus has reuse to find
    assert with_bound == without

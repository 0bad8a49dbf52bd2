"""Schema of the wiretrace store and its migrations.

``SCHEMA_VERSION`` is stored in the ``meta`` table (key ``schema_version``) together with
``application = wiretrace``, which is how a wiretrace store is recognised. Migration ``n``
upgrades a store from version ``n - 1`` to ``n``; a store with a higher version than this code
knows was written by a newer wiretrace and is refused without being touched.
"""

from __future__ import annotations

APPLICATION = "wiretrace"
SCHEMA_VERSION = 7

# Version 1: articles with their anchors, aligned pairs, runs, and the derived tables that each
# run rebuilds from articles and pairs (article_stats, groups, group_members).
_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (
    aid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    content_hash TEXT NOT NULL,
    title TEXT, outlet TEXT, published TEXT, url TEXT, lang TEXT, path TEXT,
    text TEXT NOT NULL,
    chars INTEGER NOT NULL,
    agencies TEXT NOT NULL DEFAULT '[]',
    duplicate_of INTEGER REFERENCES articles(aid),
    anchor_keys BLOB NOT NULL,
    anchor_sentences BLOB NOT NULL,
    sentence_spans BLOB NOT NULL,
    run INTEGER NOT NULL
);
CREATE INDEX articles_content_hash ON articles(content_hash);
CREATE TABLE pairs (
    a INTEGER NOT NULL REFERENCES articles(aid),
    b INTEGER NOT NULL REFERENCES articles(aid),
    shared_anchors INTEGER NOT NULL,
    passages TEXT NOT NULL,
    PRIMARY KEY (a, b),
    CHECK (a < b)
) WITHOUT ROWID;
CREATE TABLE runs (
    run INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL,
    inputs TEXT NOT NULL,
    added INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE article_stats (
    aid INTEGER PRIMARY KEY REFERENCES articles(aid),
    reused_chars INTEGER NOT NULL,
    boilerplate_chars INTEGER NOT NULL,
    originality REAL NOT NULL,
    sources TEXT NOT NULL,
    duplicate_of INTEGER REFERENCES articles(aid)
);
CREATE TABLE groups (
    gid INTEGER PRIMARY KEY,
    members INTEGER NOT NULL,
    earliest INTEGER NOT NULL REFERENCES articles(aid),
    boilerplate INTEGER NOT NULL,
    chars INTEGER NOT NULL
);
CREATE TABLE group_members (
    gid INTEGER NOT NULL REFERENCES groups(gid),
    aid INTEGER NOT NULL REFERENCES articles(aid),
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    PRIMARY KEY (gid, aid, start)
) WITHOUT ROWID;
"""

# Version 2: whole-article near-duplicates and stories. Articles get document keys (MinHash bands of their
# shingles; NULL in stores upgraded from version 1 until the next run computes them), verified
# candidate pairs keep their exact Jaccard, and pairs are either aligned (``mapped = 0``; an
# article aligned with its representative also keeps the ``blocks`` of equal words) or mapped
# from the representatives' passages by the derive step (``mapped = 1``). Stories: each article
# joins one story (``story_members``, with the score it joined with); ``embedding`` keeps the
# article's sentence embedding (float32) so later runs need not compute it again.
_V2 = """
ALTER TABLE articles ADD COLUMN document_keys BLOB;
ALTER TABLE pairs ADD COLUMN mapped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pairs ADD COLUMN blocks BLOB;
CREATE TABLE near_duplicates (
    a INTEGER NOT NULL REFERENCES articles(aid),
    b INTEGER NOT NULL REFERENCES articles(aid),
    jaccard REAL NOT NULL,
    PRIMARY KEY (a, b),
    CHECK (a < b)
) WITHOUT ROWID;
ALTER TABLE articles ADD COLUMN embedding BLOB;
CREATE TABLE stories (
    story_id INTEGER PRIMARY KEY,
    label TEXT NOT NULL,
    articles INTEGER NOT NULL,
    first_published TEXT,
    last_published TEXT,
    outlets TEXT NOT NULL DEFAULT '[]',
    languages TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE story_members (
    aid INTEGER PRIMARY KEY REFERENCES articles(aid),
    story_id INTEGER NOT NULL REFERENCES stories(story_id),
    score REAL NOT NULL
);
CREATE INDEX story_members_story ON story_members(story_id);
"""

# Version 3: full-text search for the web app's filters. An FTS5 index over each article's title
# and the first 500 characters of its text (the lead: enough to find a story by its words, small
# enough not to slow ingest), keyed by ``aid``. Contentless (``content=''``): it keeps only the
# index, the text stays in ``articles``. Articles are never updated or deleted, so an INSERT
# trigger kept it current (until version 5); the migration fills it for the articles already
# stored.
_V3 = """
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, lead, content='', tokenize='unicode61 remove_diacritics 2'
);
INSERT INTO articles_fts (rowid, title, lead)
    SELECT aid, coalesce(title, ''), substr(text, 1, 500) FROM articles;
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, lead)
    VALUES (new.aid, coalesce(new.title, ''), substr(new.text, 1, 500));
END;
"""

# Version 4: the candidate pairs of the last run, so that the next run updates them for the
# articles that joined or left instead of recounting every stored anchor (see
# ``reuse.candidate_update``). One row: the rules they were computed with (JSON), the article
# keys they cover (``members``, int64) and the result: pairs (int64 rows a, b), shared-key
# counts (int64), and the boilerplate and non-evidence keys (uint64). A missing row or other
# rules mean a full recount; the row is a cache of a pure function of the stored anchors.
# ``boilerplate_spans`` keeps, per article with any, the character spans (int32 start, end
# rows) of its boilerplate sentences as the last derive step found them, and ``meta`` key
# ``boilerplate_digest`` the digest of the boilerplate key set they were computed with: the
# next run recomputes only the articles that a change of that set touches.
_V4 = """
CREATE TABLE boilerplate_spans (
    aid INTEGER PRIMARY KEY REFERENCES articles(aid),
    spans BLOB NOT NULL
);
CREATE TABLE candidate_state (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    rules TEXT NOT NULL,
    members BLOB NOT NULL,
    pairs BLOB NOT NULL,
    shared BLOB NOT NULL,
    boilerplate_keys BLOB NOT NULL,
    unusable_keys BLOB NOT NULL
);
"""

# Version 5: the full-text index is written by ``Store.add_articles`` with one statement per
# batch of articles instead of the version-3 trigger, one statement per article: on news-de the
# trigger cost a third of the ingesting process's time (0.09 ms an article against 0.02 ms).
_V5 = """
DROP TRIGGER articles_fts_insert;
"""

# Version 6: ``meta`` keys ``fingerprint_rules`` and ``alignment_rules`` record the rules the
# stored anchors and pairs were computed with; a run under other rules redoes them (see
# ``pipeline``). The version is raised so that an older wiretrace, which would add articles and
# pairs under its own rules without touching the records, refuses such a store. Records written
# into a version-5 store are dropped: an older wiretrace may have written to it since.
_V6 = """
DELETE FROM meta WHERE key IN ('fingerprint_rules', 'alignment_rules');
"""

# Version 7: the byline (``author``) and whether a feed entry carried only its summary
# (``teaser_only``), as the readers of feeds, JSON and CSV now read them; the agencies credited
# for an article's pictures (``image_credits``, apart from ``agencies``, its text credits). A store without them
# is still read (``Store.article_extras`` reads NULL and 0 instead). Runs count the articles
# they removed (``wiretrace remove``) and replaced (``analyze --update``).
_V7 = """
ALTER TABLE articles ADD COLUMN author TEXT;
ALTER TABLE articles ADD COLUMN teaser_only INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN image_credits TEXT NOT NULL DEFAULT '[]';
ALTER TABLE runs ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN replaced INTEGER NOT NULL DEFAULT 0;
"""

# Versions whose migration changes nothing that reading needs: a store one or more of them
# behind can still be opened read-only (exported, served read-only) without an upgrade.
READS_UNCHANGED = frozenset({6, 7})

# MIGRATIONS[n] turns version n - 1 into version n; a new store runs them all. Statements are
# separated by ";" (a trigger's body, which holds ";" itself, runs as one statement: see
# Store._migrate).
MIGRATIONS: dict[int, str] = {1: _V1, 2: _V2, 3: _V3, 4: _V4, 5: _V5, 6: _V6, 7: _V7}

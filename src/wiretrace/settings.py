"""The one home of wiretrace's tunable parameters, with documented defaults.

Every algorithm takes its settings object as an argument (pure functions, no globals). Users
override defaults with a TOML file (``[align]``, ``[same_story]`` and ``[corpus]`` tables) or CLI flags::

    >>> s = Settings().with_overrides({"align": {"min_passage_chars": 200}})
    >>> s.align.min_passage_chars
    200
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wiretrace.errors import InputError


@dataclass(frozen=True, slots=True)
class AlignSettings:
    """Parameters of pairwise passage alignment (reuse/align.py).

    Sentence pairs are candidates when they share a stem found in at most
    ``max_pairs_per_term`` sentence pairs (a rare anchor; keeps long texts linear).
    Sentence-pair seeds need ``seed_cosine`` (tf-isf cosine) and ``seed_dice`` (Dice over content
    stems) both above their thresholds. Seeds closer than ``max_gap`` sentences on both sides
    join one passage; a passage whose whole-fragment cosine is below ``min_fragment_cosine`` is
    split again with a smaller gap. A passage then grows by neighbouring sentences whose cosine
    with a sentence within ``grow_window`` sentences of the other side reaches ``grow_cosine`` and
    ``grow_relative`` times the passage's weakest seed cosine. An edge seed whose partner sentence has a partner at least
    1 / ``dominance_ratio`` times more similar is trimmed. ``summary_max_gap`` is the gap used on the longer side when
    one side looks like a summary of the other. Passages shorter than ``min_passage_chars`` on
    either side (code points) are dropped as coincidences, and so are passages whose two sides
    share fewer than ``min_shared_bigrams`` distinct two-word sequences (normalised words), or
    whose token similarity is below ``phrasing_similarity`` while their distinct shared two-word
    sequences, not counting those of two words starting with a capital letter or a digit
    (names and figures), number less than ``min_phrasing``
    times the words of the shorter side: such sides state the same facts in their own words,
    they do not reuse text. ``stem_length`` is the prefix length
    (characters) used as a language-independent stem.

    Refinement: each candidate, widened by ``refine_margin_tokens`` on every side, is aligned
    word by word (in the margin only runs of ``refine_margin_min_block`` words count); runs of at least ``refine_min_block`` equal tokens no more than
    ``refine_max_gap_tokens`` apart form a segment, and segments whose matched share is at least
    ``refine_min_density`` give the exact extent; an end is moved to the sentence boundary when
    both sides have at most ``refine_snap_tokens`` unmatched words there.
    """

    stem_length: int = 6
    min_sentence_tokens: int = 3
    max_pairs_per_term: int = 400
    seed_cosine: float = 0.33
    seed_dice: float = 0.33
    max_gap: int = 4
    summary_max_gap: int = 24
    summary_ratio: float = 0.33
    min_fragment_cosine: float = 0.34
    dominance_ratio: float = 0.8
    weak_edge_ratio: float = 0.55
    min_passage_chars: int = 120
    min_shared_bigrams: int = 3
    phrasing_similarity: float = 0.35
    min_phrasing: float = 0.15
    grow_cosine: float = 0.2
    grow_window: int = 2
    grow_relative: float = 0.5
    refine_margin_tokens: int = 30
    refine_max_gap_tokens: int = 20
    refine_min_block: int = 2
    refine_min_density: float = 0.9
    refine_snap_tokens: int = 6
    refine_margin_min_block: int = 5


@dataclass(frozen=True, slots=True)
class SameStorySettings:
    """Parameters of the same-story score (stories/score.py); scores are in [0, 1].

    A score at or above ``same_threshold`` is "same", at or above ``related_threshold``
    "related", else "different" (both calibrated on human ratings; see BENCHMARKS.md).
    ``embeddings = false`` skips the multilingual embedding model (a combiner fitted without
    embedding features is used, which is weaker across languages); with ``true`` embeddings are
    still only computed for pairs whose verdict is unclear without them. ``all_features = true``
    also computes and reports the features the score does not use (``lexical``,
    ``rare_overlap``, ``embedding_lead``, and ``embedding_body`` when the score did not need it),
    at the cost of loading the lemma dictionary and the embedding model (about 2 s per process).
    """

    same_threshold: float = 0.73
    related_threshold: float = 0.38
    embeddings: bool = True
    all_features: bool = False


@dataclass(frozen=True, slots=True)
class CorpusSettings:
    """Parameters of corpus-scale reuse detection (``wiretrace analyze``).

    Every sentence with at least ``anchor_min_stems`` distinct content stems gets
    ``anchor_bands`` keys, each a hash of ``anchor_rows`` MinHash values of its stems. A key
    found in more than ``max_df`` articles, or in more than ``max_outlet_df`` articles of one
    outlet, is boilerplate (stock phrase, teaser, paywall notice) and makes no pair a
    candidate; sentences with at least half of their keys boilerplate are excluded from
    originality. Two articles sharing at least ``min_shared_anchors`` other keys, at least
    ``min_sentence_anchors`` of them between one sentence of each (or at least two keys in each
    of ``min_sentence_pairs`` sentence pairs: a heavily edited passage), are aligned (two rows
    per band make keys that also catch heavily edited sentences; the sentence-pair rules keep
    articles that merely share a topic apart).
    An article covered to at least ``duplicate_coverage`` by passages shared with an earlier
    article, which is covered as much, is a whole-article copy of it. Pairs sharing at least
    ``near_copy_share`` of the anchors of the article with more of them are first aligned in
    one whole-text pass (cheap), falling back to the full aligner if that finds no near-copy.
    Articles whose sets of 5-word shingles have Jaccard similarity of at least
    ``collapse_jaccard`` are near-duplicates: each set of them is represented by its earliest
    article, and the others get the representative's passages mapped onto their text instead
    of being aligned themselves (one story printed by many outlets costs one alignment per
    outlet, not one per pair).
    ``agencies`` names news agencies beyond the major ones whose credits are looked for
    (regional agencies: ``["nwa"]``; the CLI's ``--agency NAME``), see
    :mod:`wiretrace.text.credits`.
    """

    anchor_bands: int = 20
    anchor_rows: int = 2
    anchor_min_stems: int = 4
    max_df: int = 50
    max_outlet_df: int = 3
    min_shared_anchors: int = 4
    min_sentence_anchors: int = 3
    min_sentence_pairs: int = 2
    duplicate_coverage: float = 0.9
    near_copy_share: float = 0.8
    collapse_jaccard: float = 0.9
    agencies: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StoriesSettings:
    """Story clustering in ``wiretrace analyze`` (see ``wiretrace.stories.cluster``).

    Articles are placed in publication order. A story stays open to new articles while its
    latest member is at most ``window_days`` days away and its first at most
    ``max_span_days`` (an event, not a topic: without this limit a story about the same
    politicians would run for months); among open stories, the
    ``max_candidates`` whose centroid (mean title-and-lead embedding) has cosine at least
    ``min_cosine`` with the article are candidates; an article joins the candidate whose
    ``members_checked`` closest members give the best same-story score (the corpus model), if
    that score is at least ``join_threshold``; otherwise it opens a new story. ``enabled =
    false`` skips stories (no embeddings are computed).
    """

    enabled: bool = True
    window_days: float = 3.0
    max_span_days: float = 7.0
    min_cosine: float = 0.3
    max_candidates: int = 5
    members_checked: int = 3
    join_threshold: float = 0.45


@dataclass(frozen=True, slots=True)
class Settings:
    """All settings; sections mirror the TOML tables."""

    align: AlignSettings = field(default_factory=AlignSettings)
    same_story: SameStorySettings = field(default_factory=SameStorySettings)
    corpus: CorpusSettings = field(default_factory=CorpusSettings)
    stories: StoriesSettings = field(default_factory=StoriesSettings)

    def with_overrides(self, overrides: dict[str, Any], source: str = "settings") -> Settings:
        """A copy with ``{"section": {"name": value}}`` applied; unknown names raise InputError."""
        sections: dict[str, Any] = {}
        for name, values in overrides.items():
            current = getattr(self, name, None)
            if current is None or not dataclasses.is_dataclass(current):
                raise InputError(source, f"unknown settings section [{name}]")
            if not isinstance(values, dict):
                raise InputError(source, f"[{name}] must be a table")
            known = {f.name: f.type for f in dataclasses.fields(current)}
            for key, value in values.items():
                if key not in known:
                    raise InputError(source, f"unknown setting {name}.{key}")
                expected = type(getattr(current, key))
                if expected is float and isinstance(value, int) and not isinstance(value, bool):
                    value = float(value)
                if expected is tuple:
                    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                        raise InputError(source, f"{name}.{key} must be a list of strings")
                    value = tuple(value)
                if type(value) is not expected:
                    raise InputError(
                        source, f"{name}.{key} must be {expected.__name__}, got {value!r}"
                    )
                values = {**values, key: value}
            sections[name] = dataclasses.replace(current, **values)
        return dataclasses.replace(self, **sections)


def load_settings(path: str | Path | None = None) -> Settings:
    """Default settings, overridden by the TOML file at ``path`` when given."""
    settings = Settings()
    if path is None:
        return settings
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(str(p), "settings file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(p), f"cannot read settings file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(str(p), f"invalid TOML: {exc}") from None
    return settings.with_overrides(data, source=str(p))

"""Per-text preparation for alignment: tokens, stems, content mask and sentences.

Preparing is the per-document half of the work; it is done once per text and reused for every
pair the text takes part in (a source document may be compared with hundreds of others).
``PreparedText`` is picklable so it can travel to worker processes and Spark executors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wiretrace.settings import AlignSettings
from wiretrace.text.sentences import sentence_spans
from wiretrace.text.stopwords import STOPWORDS
from wiretrace.text.tokens import Tokens, stable_hash, tokenize


@dataclass(frozen=True, slots=True)
class PreparedText:
    """A text ready for alignment.

    ``stems[i]`` (uint64) is the hash of token i's stem; ``content[i]`` is False for function
    words. ``sentences`` (n, 2) int32 are character spans of sentences that hold at least one
    token; ``sentence_of_token[i]`` is the sentence index of token i and ``sentence_tokens``
    (n, 2) the ``[first, last + 1)`` token range of each sentence.

    The sentence-term table lists, sorted by (sentence, term), each distinct content stem of a
    sentence once: ``term_sentence[e]``, ``term_index[e]`` (into ``terms``, the sorted distinct
    stems) and ``term_count[e]`` (its occurrences in that sentence). Sentence i's rows are
    ``[term_ptr[i], term_ptr[i + 1])``; ``term_sf[t]`` is the number of sentences holding term t.
    """

    text: str
    tokens: Tokens
    stems: np.ndarray
    content: np.ndarray
    sentences: np.ndarray
    sentence_tokens: np.ndarray
    sentence_of_token: np.ndarray
    terms: np.ndarray
    term_sentence: np.ndarray
    term_index: np.ndarray
    term_count: np.ndarray
    term_ptr: np.ndarray
    term_sf: np.ndarray


def _stems_and_content(tokens: Tokens, stem_length: int) -> tuple[np.ndarray, np.ndarray]:
    """Per token: the stem hash (uint64) and whether it is a content word (bool).

    Computed once per distinct form and spread to tokens by the vocabulary index.
    """
    vocab = tokens.vocabulary
    stem_cache: dict[str, int] = {}
    stems = np.empty(len(vocab), dtype=np.uint64)
    content = np.empty(len(vocab), dtype=bool)
    for i, form in enumerate(vocab):
        stem = form[:stem_length]
        h = stem_cache.get(stem)
        if h is None:
            h = stem_cache[stem] = stable_hash(stem)
        stems[i] = h
        content[i] = form not in STOPWORDS and not (len(form) == 1 and form.isalpha())
    index = tokens.vocabulary_index
    if index is None:  # Tokens built by hand, without a vocabulary
        index = np.zeros(0, dtype=np.int64)
    return stems[index], content[index]


def _merge_short_sentences(
    spans: np.ndarray, tok_ranges: np.ndarray, min_tokens: int
) -> tuple[np.ndarray, np.ndarray]:
    """Join sentences with fewer than ``min_tokens`` tokens to the following sentence.

    Very short "sentences" (headings, list items, datelines) make unreliable seeds alone.
    """
    keep_spans: list[list[int]] = []
    keep_ranges: list[list[int]] = []
    pending: list[int] | None = None  # [char_start, tok_start] of a short run waiting to merge
    for (s, e), (ts, te) in zip(spans.tolist(), tok_ranges.tolist(), strict=True):
        if pending is not None:
            s, ts = pending
            pending = None
        if te - ts < min_tokens:
            pending = [s, ts]
            continue
        keep_spans.append([s, e])
        keep_ranges.append([ts, te])
    if pending is not None:
        if keep_spans:
            keep_spans[-1][1] = int(spans[-1, 1])
            keep_ranges[-1][1] = int(tok_ranges[-1, 1])
        else:
            keep_spans.append([pending[0], int(spans[-1, 1])])
            keep_ranges.append([pending[1], int(tok_ranges[-1, 1])])
    return (
        np.asarray(keep_spans, dtype=np.int32).reshape(-1, 2),
        np.asarray(keep_ranges, dtype=np.int32).reshape(-1, 2),
    )


def prepare(text: str, settings: AlignSettings | None = None) -> PreparedText:
    """Tokenise, stem and sentence-split ``text``; O(len(text))."""
    settings = settings or AlignSettings()
    tokens = tokenize(text)
    stems, content = _stems_and_content(tokens, settings.stem_length)
    spans = sentence_spans(text)
    # Token i belongs to the sentence whose span contains its start.
    first = np.searchsorted(tokens.starts, spans[:, 0], side="left")
    last = np.searchsorted(tokens.starts, spans[:, 1], side="left")
    has_tokens = last > first
    spans, tok_ranges = spans[has_tokens], np.stack([first, last], axis=1)[has_tokens]
    spans, tok_ranges = _merge_short_sentences(spans, tok_ranges, settings.min_sentence_tokens)
    sentence_of_token = np.full(len(tokens), -1, dtype=np.int32)
    for i, (ts, te) in enumerate(tok_ranges.tolist()):
        sentence_of_token[ts:te] = i
    in_sentence = content & (sentence_of_token >= 0)
    terms, term_of_token = np.unique(stems[in_sentence], return_inverse=True)
    n_terms = max(len(terms), 1)
    keys, counts = np.unique(
        sentence_of_token[in_sentence].astype(np.int64) * n_terms + term_of_token,
        return_counts=True,
    )
    term_sentence, term_index = keys // n_terms, keys % n_terms
    return PreparedText(
        text=text,
        tokens=tokens,
        stems=stems,
        content=content,
        sentences=spans,
        sentence_tokens=tok_ranges.astype(np.int32),
        sentence_of_token=sentence_of_token,
        terms=terms,
        term_sentence=term_sentence.astype(np.int64),
        term_index=term_index.astype(np.int64),
        term_count=counts.astype(np.float64),
        term_ptr=np.concatenate(
            [[0], np.cumsum(np.bincount(term_sentence, minlength=len(spans)))]
        ).astype(np.int64),
        term_sf=np.bincount(term_index, minlength=len(terms)).astype(np.int64),
    )

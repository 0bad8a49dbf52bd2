"""Property tests of pairwise alignment: planted edited copies are found, spans map back.

Each example builds two random "documents" (paragraphs of sentences of 8-20 words ending with
'.', at least 60 % content words, German-style capitalised nouns, some phrases in „…“ quotes)
from disjoint pools of random words over ASCII and German letters, so the two hosts share
nothing but function words. A run of 3-8 consecutive sentences of document A is planted into
document B at a random paragraph boundary, edited the way rewriters edit agency copy: words
substituted (up to 15 % per sentence), a phrase of 1-6 words inserted, the quotes changed
(„…“ -> "…" or «…»), the case of a few words changed, the lines re-wrapped.

* With lines re-wrapped at 75-80 characters (or not at all), ``align_pair`` must find the copy as one passage covering
  >= 80 % of it on both sides, in both argument orders, and report nothing else.
* With lines re-wrapped at 40-72 characters it must still find it (one passage overlapping it on both sides) and nothing else, and every invariant holds: spans are valid
  slices, passages never overlap on either side, results are deterministic, and the public
  JSON record (``comparison_to_dict``) repeats exactly the text its offsets point to.

Narrow re-wrapping is left out of the 80 % property because of a known limitation: a wrapped
line shorter than 60 characters that ends in a content word and is followed by a capitalised
word (a German noun) is taken for a heading, which cuts a sentence of the copy in two, and the
piece after the cut can be left out of the passage. (Lines ending in a function word, the
minimal case tested at the end, are no longer taken for headings.)

Random word choices come from ``random.Random(seed)`` with the seed drawn by hypothesis, so a
falsifying example printed by hypothesis (all parameters plus the seed) reproduces exactly.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from wiretrace.model import Article, Passage, Span
from wiretrace.report.compare import compare, comparison_to_dict
from wiretrace.reuse.align import align_pair
from wiretrace.settings import AlignSettings

LETTERS = "abcdefghijklmnopqrstuvwxyzäöüß"
FUNCTION_WORDS = tuple(
    [
        "der",
        "die",
        "das",
        "und",
        "in",
        "zu",
        "den",
        "mit",
        "von",
        "auf",
        "für",
        "ist",
        "im",
        "dem",
        "nicht",
        "ein",
        "eine",
        "als",
        "auch",
        "es",
        "an",
        "the",
        "of",
        "and",
        "to",
        "a",
        "is",
        "that",
        "for",
        "on",
        "with",
        "as",
        "by",
        "at",
    ]
)
MIN_PLANTED_CHARS = 200  # well above min_passage_chars (120) even after the edits

PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=True,
)


def _pool(seed: int, size: int) -> list[str]:
    """``size`` distinct random words of 5-12 letters with distinct 6-letter prefixes (stems)."""
    rng = random.Random(seed)
    words: dict[str, str] = {}
    while len(words) < size:
        w = "".join(rng.choice(LETTERS) for _ in range(rng.randint(5, 12)))
        words.setdefault(w[:6], w)
    return list(words.values())


# Disjoint pools (stems are distinct across pools too): host A, host B, substitutions/insertions.
_ALL = _pool(20240601, 3000)
POOL_A, POOL_B, POOL_EDIT = _ALL[:1000], _ALL[1000:2000], _ALL[2000:]


@dataclass
class Word:
    """One word with the punctuation glued to it: ``pre`` + ``core`` + ``post``."""

    core: str
    pre: str = ""
    post: str = ""

    def render(self) -> str:
        return f"{self.pre}{self.core}{self.post}"


def _sentence(rng: random.Random, pool: list[str]) -> list[Word]:
    n = rng.randint(8, 20)
    # At most 40 % function words, and none last ("… by a." would not end a sentence).
    function = set(rng.sample(range(n - 1), rng.randint(0, int(0.4 * n))))
    words = []
    for i in range(n):
        if i in function:
            words.append(Word(rng.choice(FUNCTION_WORDS)))
        else:
            w = rng.choice(pool)
            words.append(Word(w.capitalize() if rng.random() < 0.3 else w))  # German nouns
    words[0].core = words[0].core.capitalize()
    if n >= 12 and rng.random() < 0.4:  # a quoted phrase inside the sentence
        i = rng.randint(1, n - 5)
        j = i + rng.randint(1, 3)
        words[i].pre, words[j].post = "„", "“"
    words[-1].post += "."
    return words


def _render(sentence: list[Word]) -> str:
    return " ".join(w.render() for w in sentence)


def _document(rng: random.Random, pool: list[str], n_sentences: int) -> list[list[list[Word]]]:
    """Paragraphs (2-5 sentences each) of sentences of words."""
    paragraphs: list[list[list[Word]]] = []
    left = n_sentences
    while left > 0:
        k = min(left, rng.randint(2, 5))
        paragraphs.append([_sentence(rng, pool) for _ in range(k)])
        left -= k
    return paragraphs


def _join(blocks: list[str]) -> tuple[str, list[Span]]:
    """Blocks joined by blank lines, and the span of each block."""
    spans, pos = [], 0
    for b in blocks:
        spans.append(Span(pos, pos + len(b)))
        pos += len(b) + 2
    return "\n\n".join(blocks), spans


@dataclass
class Plant:
    """A planted pair. ``text_a[planted_a]`` was copied, edited, to ``text_b[planted_b]``."""

    seed: int
    sentences_a: int
    sentences_b: int
    first: int
    count: int
    rate: float
    phrase_words: int
    wrap: int
    quotes: str
    case_changes: int
    insert_at: int
    planted_a: Span
    planted_b: Span
    text_a: str = field(repr=False)
    text_b: str = field(repr=False)


def make_plant(
    seed: int,
    sentences_a: int,
    sentences_b: int,
    first: int,
    count: int,
    rate: float,
    phrase_words: int,
    wrap: int,
    quotes: str,
    case_changes: int,
    insert_at: int,
) -> Plant:
    """Build a planted pair; all randomness besides the parameters comes from ``seed``."""
    rng = random.Random(seed)
    doc_a = _document(rng, POOL_A, sentences_a)
    flat = [s for para in doc_a for s in para]
    text_a, _ = _join([" ".join(_render(s) for s in para) for para in doc_a])
    sentence_spans, pos = [], 0
    for s in flat:
        pos = text_a.index(_render(s), pos)
        sentence_spans.append((pos, pos + len(_render(s))))
        pos = sentence_spans[-1][1]
    planted_a = Span(sentence_spans[first][0], sentence_spans[first + count - 1][1])

    # The edited copy: substitutions, case changes, other quotes, an inserted phrase, wrapping.
    copy = [[Word(w.core, w.pre, w.post) for w in s] for s in flat[first : first + count]]
    words = [w for s in copy for w in s]
    for sentence in copy:
        # The rate holds per sentence (stochastic rounding), so edits cannot pile up in one.
        content = [w for w in sentence if w.core.casefold() not in FUNCTION_WORDS]
        k = min(len(content), int(rate * len(sentence) + rng.random()))
        for w in rng.sample(content, k):
            new = rng.choice(POOL_EDIT)
            w.core = new.capitalize() if w.core[0].isupper() else new
    # Case changes (not of a sentence's first word, whose case marks the sentence start).
    inner = [w for s in copy for w in s[1:]]
    for w in rng.sample(inner, min(case_changes, len(inner))):
        w.core = rng.choice([str.upper, str.lower, str.capitalize])(w.core)
    for w in words:
        w.pre = w.pre.replace("„", quotes[0])
        w.post = w.post.replace("“", quotes[1])
    if phrase_words:
        target = rng.choice(copy)
        i = rng.randint(1, len(target) - 1)
        target[i:i] = [Word(rng.choice(POOL_EDIT)) for _ in range(phrase_words)]
    block = " ".join(_render(s) for s in copy)
    if wrap:
        lines, line = [], ""
        for token in block.split(" "):
            if line and len(line) + 1 + len(token) > wrap:
                lines.append(line)
                line = token
            else:
                line = f"{line} {token}" if line else token
        block = "\n".join([*lines, line])

    doc_b = [" ".join(_render(s) for s in para) for para in _document(rng, POOL_B, sentences_b)]
    insert_at %= len(doc_b) + 1
    text_b, spans_b = _join([*doc_b[:insert_at], block, *doc_b[insert_at:]])
    return Plant(
        seed,
        sentences_a,
        sentences_b,
        first,
        count,
        rate,
        phrase_words,
        wrap,
        quotes,
        case_changes,
        insert_at,
        planted_a,
        spans_b[insert_at],
        text_a,
        text_b,
    )


@st.composite
def planted_pairs(draw: st.DrawFn, narrow_wrap: bool) -> Plant:
    """Planted pairs; ``narrow_wrap`` re-wraps lines at 40-72 instead of 75-80 characters."""
    sentences_a = draw(st.integers(8, 30))
    count = draw(st.integers(3, 8))
    wraps = st.integers(40, 72) if narrow_wrap else st.integers(75, 80)
    return make_plant(
        seed=draw(st.integers(0, 2**32 - 1)),
        sentences_a=sentences_a,
        sentences_b=draw(st.integers(4, 30)),
        first=draw(st.integers(0, sentences_a - count)),
        count=count,
        rate=draw(st.sampled_from([0.0, 0.05, 0.1, 0.15])),
        phrase_words=draw(st.integers(1, 6)),
        wrap=draw(st.one_of(st.just(0), wraps)),  # 0: lines not re-wrapped
        quotes=draw(st.sampled_from(["„“", '""', "«»"])),
        case_changes=draw(st.integers(0, 3)),
        insert_at=draw(st.integers(0, 15)),
    )


def _inter(x: Span, y: Span) -> int:
    return max(0, min(x.end, y.end) - max(x.start, y.start))


def _coverage(passages: list[Passage], planted_a: Span, planted_b: Span) -> float:
    """Best single-passage coverage of the planted text: min over both sides of the share."""
    return max(
        (
            min(_inter(p.a, planted_a) / len(planted_a), _inter(p.b, planted_b) / len(planted_b))
            for p in passages
        ),
        default=0.0,
    )


def _check_invariants(passages: list[Passage], text_a: str, text_b: str) -> None:
    for p in passages:
        assert 0 <= p.a.start < p.a.end <= len(text_a), p
        assert 0 <= p.b.start < p.b.end <= len(text_b), p
        assert 0.0 <= p.similarity <= 1.0, p
    assert passages == sorted(passages), "passages are sorted by their start in a"
    for side in ("a", "b"):
        spans = sorted(getattr(p, side) for p in passages)
        for s, t in zip(spans, spans[1:], strict=False):
            assert s.end <= t.start, f"passages overlap in {side}: {s} and {t}"


def _only_planted(passages: list[Passage], planted_a: Span, planted_b: Span) -> None:
    """The hosts share only function words: every passage must lie on the planted copy."""
    for p in passages:
        assert _inter(p.a, planted_a) > 0 and _inter(p.b, planted_b) > 0, f"spurious {p}"


def _long_enough(plant: Plant) -> bool:
    if min(len(plant.planted_a), len(plant.planted_b)) < MIN_PLANTED_CHARS:
        event("planted copy shorter than MIN_PLANTED_CHARS: not checked")
        return False
    return True


@PROPERTY_SETTINGS
@given(planted_pairs(narrow_wrap=False))
def test_planted_edited_copy_is_found_as_one_passage(plant: Plant) -> None:
    if not _long_enough(plant):
        return
    a, b = plant.text_a, plant.text_b
    passages = align_pair(a, b)
    _check_invariants(passages, a, b)
    assert _coverage(passages, plant.planted_a, plant.planted_b) >= 0.8, passages
    _only_planted(passages, plant.planted_a, plant.planted_b)
    # Symmetric enough: with the texts swapped, the same copy with its sides swapped.
    swapped = align_pair(b, a)
    _check_invariants(swapped, b, a)
    assert _coverage(swapped, plant.planted_b, plant.planted_a) >= 0.8, swapped
    _only_planted(swapped, plant.planted_b, plant.planted_a)


@PROPERTY_SETTINGS
@given(planted_pairs(narrow_wrap=True))
def test_narrowly_rewrapped_copy_is_found_and_invariants_hold(plant: Plant) -> None:
    if not _long_enough(plant):
        return
    a, b = plant.text_a, plant.text_b
    passages = align_pair(a, b)
    _check_invariants(passages, a, b)
    assert _coverage(passages, plant.planted_a, plant.planted_b) > 0, passages
    _only_planted(passages, plant.planted_a, plant.planted_b)
    assert align_pair(a, b) == passages, "not deterministic"
    swapped = align_pair(b, a)
    _check_invariants(swapped, b, a)
    assert _coverage(swapped, plant.planted_b, plant.planted_a) > 0, swapped
    _only_planted(swapped, plant.planted_b, plant.planted_a)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(planted_pairs(narrow_wrap=True))
def test_json_record_spans_map_back_to_the_texts(plant: Plant) -> None:
    """Every span of the public JSON record is a valid slice and repeats its text exactly."""
    a = Article(id="a", text=plant.text_a)
    b = Article(id="b", text=plant.text_b)
    record = comparison_to_dict(compare(a, b))
    assert record["a"]["chars"] == len(a.text) and record["b"]["chars"] == len(b.text)
    for p in record["passages"]:
        assert 0 <= p["a_start"] < p["a_end"] <= len(a.text)
        assert 0 <= p["b_start"] < p["b_end"] <= len(b.text)
        assert p["a_text"] == a.text[p["a_start"] : p["a_end"]]
        assert p["b_text"] == b.text[p["b_start"] : p["b_end"]]
    assert 0.0 <= record["coverage"]["a"] <= 1.0 and 0.0 <= record["coverage"]["b"] <= 1.0
    assert 0.0 <= record["same_story"]["score"] <= 1.0
    assert comparison_to_dict(compare(a, b)) == record, "not deterministic"


@st.composite
def unrelated_pairs(draw: st.DrawFn) -> tuple[int, str, str]:
    seed = draw(st.integers(0, 2**32 - 1))
    n_a, n_b = draw(st.integers(3, 40)), draw(st.integers(3, 40))
    rng = random.Random(seed)
    a, _ = _join([" ".join(_render(s) for s in p) for p in _document(rng, POOL_A, n_a)])
    b, _ = _join([" ".join(_render(s) for s in p) for p in _document(rng, POOL_B, n_b)])
    return seed, a, b


@settings(max_examples=40, deadline=None, derandomize=True)
@given(unrelated_pairs())
def test_unrelated_documents_sharing_only_function_words_have_no_passages(
    pair: tuple[int, str, str],
) -> None:
    _, a, b = pair
    assert align_pair(a, b) == []
    result = compare(Article("a", a), Article("b", b))
    assert result.passages == () and result.same_story.verdict == "different"


@settings(max_examples=20, deadline=None, derandomize=True)
@given(st.integers(0, 2**32 - 1), st.sampled_from([0, 40, 72]), st.sampled_from(['""', "«»"]))
def test_generator_plants_what_it_claims(seed: int, wrap: int, quotes: str) -> None:
    """The generator itself: without word edits the copy is the original text re-wrapped and
    re-quoted, and the two hosts share no word but function words."""
    p = make_plant(seed, 12, 12, 2, 5, 0.0, 0, wrap, quotes, 0, 3)
    copied = p.text_b[p.planted_b.start : p.planted_b.end]
    original = p.text_a[p.planted_a.start : p.planted_a.end]
    requoted = original.replace("„", quotes[0]).replace("“", quotes[1])
    assert copied.split() == requoted.split()
    assert ("\n" in copied) == (wrap > 0 and len(copied) > wrap)
    host_b = p.text_b[: p.planted_b.start] + p.text_b[p.planted_b.end :]
    words_a = set(re.findall(r"\w+", p.text_a.casefold()))
    assert words_a & set(re.findall(r"\w+", host_b.casefold())) <= set(FUNCTION_WORDS)


# --- small hand-made cases: inserted phrases at the edges, a line break before a noun ----------

BEFORE = (
    "Vorher steht hier ein ganz anderer Absatz über das Wetter in der Region und die "
    "Aussichten für das Wochenende.\n\n"
)
COPY = (
    "Der Stadtrat hat am Dienstagabend den Haushalt für das kommende Jahr beschlossen. "
    "Die Mehrheit stimmte nach langer Debatte für die Pläne der Verwaltung. "
    "Kritik kam vor allem von der Opposition, die höhere Schulden befürchtet. "
    "Der Kämmerer verteidigte die Investitionen in Schulen und Straßen."
)
AFTER = (
    "\n\nDanach folgt ein eigener Absatz der Redaktion über die Reaktionen im Rathaus und in "
    "den sozialen Medien."
)


def whole_copy_found(b_copy: str) -> None:
    """``BEFORE + COPY`` against ``b_copy + AFTER``: exactly one passage, the whole copy."""
    a, b = BEFORE + COPY, b_copy + AFTER
    passages = align_pair(a, b)
    assert [(p.a, p.b) for p in passages] == [(Span(len(BEFORE), len(a)), Span(0, len(b_copy)))]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hat am", "hat nach Angaben von Beobachtern am"),  # phrase in the first sentence
        ("hat am", "hat nach Angaben von Beobachtern am\n"),  # ... and a line break after it
        (
            "Schulen und Straßen.",
            "Schulen, neue Radwege, Spielplätze und Sporthallen sowie Straßen.",
        ),
        ("Investitionen in Schulen", "Investitionen in\nSchulen"),  # a line break before a noun
    ],
    ids=["phrase-first", "phrase-first-wrapped", "phrase-before-last-word", "wrapped-last"],
)
def test_copy_edited_at_its_edges_is_found_whole(old: str, new: str) -> None:
    whole_copy_found(COPY.replace(old, new).replace("\n ", "\n"))


def test_line_break_before_a_capitalised_word_does_not_cut_the_passage() -> None:
    whole_copy_found(
        COPY.replace(" Der Kämmerer", "\nDer Kämmerer").replace(
            "Investitionen in Schulen", "Investitionen in\nKitas, Schulen"
        )
    )


# Two fictional reports of the same housing figures, each in its own words: names, figures and
# content words are shared, but no phrasing beyond the two numbers.
FIGURES_A = (
    "Das Landesamt für Statistik meldete am Dienstag 4.180 neue Wohnungen im Kreis Unterweiler. "
    "Im Vorjahr waren es noch 3.950 gewesen, ein Plus von knapp sechs Prozent. "
    "Die meisten Neubauten entstanden in Oberbach und Lindenau, vor allem kleine Mietwohnungen."
)
FIGURES_B = (
    "Unterweiler baut mehr: Laut Statistik kamen dort 4.180 Wohnungen hinzu, nach 3.950 im Jahr "
    "davor. Der Zuwachs beträgt beinahe sechs Prozentpunkte. Mietwohnungen, meist kleine, "
    "dominieren unter den Neubauten, besonders in Lindenau sowie Oberbach, teilte das "
    "statistische Landesamt Dienstag mit."
)


def test_the_same_facts_in_other_words_are_not_a_shared_passage() -> None:
    # Similar enough as bags of words to form a candidate passage ...
    no_rules = AlignSettings(min_shared_bigrams=0, min_phrasing=0.0)
    assert align_pair(FIGURES_A, FIGURES_B, no_rules)
    # ... but two wordings of the same figures are not reused text.
    assert align_pair(FIGURES_A, FIGURES_B) == []
    # Two shared word pairs (the two figures) are too few on their own ...
    assert align_pair(FIGURES_A, FIGURES_B, AlignSettings(min_phrasing=0.0)) == []
    # ... and with a third ("sechs Prozent"), the share of shared phrasing is still too low
    # for sides this loosely similar.
    three = FIGURES_B.replace("sechs Prozentpunkte", "sechs Prozent")
    assert align_pair(FIGURES_A, three, AlignSettings(min_phrasing=0.0))
    assert align_pair(FIGURES_A, three) == []


# The same fictional reports, each adding the same three names in its own sentence.
NAMES = (
    " Landrätin Katrin Albers-Holm sprach von einem guten Signal, Kreisbaurat Jens Oldemeyer"
    " verwies auf die Gemeinnützige Wohnbau Unterweiler GmbH."
)
NAMES_REWORDED = (
    " Erfreut zeigte sich Landrätin Katrin Albers-Holm. Die Gemeinnützige Wohnbau Unterweiler"
    " GmbH habe den größten Anteil, betonte Kreisbaurat Jens Oldemeyer."
)


def test_shared_names_are_facts_not_phrasing() -> None:
    # Eleven two-word sequences are shared, ten of them inside names ("Katrin Albers-Holm",
    # "Wohnbau Unterweiler"): that is the same people reported, not reused wording.
    a, b = FIGURES_A + NAMES, FIGURES_B + NAMES_REWORDED
    assert align_pair(a, b, AlignSettings(min_phrasing=0.0))
    assert align_pair(a, b) == []
    # The same names inside a copied sentence come with its phrasing, and the passage stays.
    [passage] = align_pair(a, FIGURES_B + NAMES)
    assert passage.a.end == len(a)

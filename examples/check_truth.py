"""Check that examples/truth.json matches the bundled example corpus.

Run ``python examples/check_truth.py`` (from anywhere). Exits 1 and lists every problem if
anything is off, 0 otherwise. Uses the standard library only.

What is checked:

* ``corpus.jsonl``: every line is an object with the fields id, title, outlet, published
  (ISO 8601 with a timezone), url (example.org / example.com), lang ("de"/"en") and text
  (1,500-4,500 characters, paragraphs separated by a blank line, title not repeated);
  German texts use typographic quotes „…“ and no ASCII double quotes.
* ``truth.json``: ``stories`` partitions the corpus ids; every reuse pair names known ids in
  the same story; every ``a_text``/``b_text`` occurs exactly once in its article; "verbatim"
  passages are identical after collapsing whitespace, "edited" ones are not but are close;
  passages are maximal (the neighbouring words on both sides differ) and do not overlap.
* One reuse, one passage: two listed passages of a pair that follow each other in the same
  order on both sides must be more than ``MAX_GAP`` (4) sentences apart on at least one side,
  or they are one passage; and no passage contains a run of more than ``MAX_GAP`` sentences
  that have no counterpart on the other side (such a passage must be split). A sentence has a
  counterpart when at least ``COUNTERPART`` of its word bigrams occur in the other side.
* Completeness: every run of 8 shared words between the two articles of a reuse pair lies
  inside a listed passage on both sides; articles of different stories (and the two extra
  texts) share no run of 8 words; pairs listed in ``indirect_reuse`` do share text.
* ``pair/agency.txt`` and ``pair/rewrite.txt`` equal the corpus texts of the wire and the
  online rewrite; ``putin-syria-earlier.txt`` and ``unrelated-de.txt`` have the expected size.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from datetime import datetime
from itertools import combinations
from pathlib import Path
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
FIELDS = ("id", "title", "outlet", "published", "url", "lang", "text")
SHINGLE = 8
WORD = re.compile(r"\w+", re.UNICODE)
# One passage may hold inserted or cut material of up to MAX_GAP sentences (wiretrace's default
# ``max_gap``); see examples/README.md.
MAX_GAP = 4
COUNTERPART = 0.3
# A sentence ends after . ! ? (and a closing quote) before an opening capital, digit, quote or
# dash, or at a blank line. Good enough for these texts, which have no "Dr." or "z. B.".
SENTENCE_END = re.compile(r"(?<=[.!?])[“”\"’»]?(?=\s+[„“\"‘«(\-–A-ZÄÖÜ0-9])|\n\s*\n")

problems: list[str] = []


def fail(msg: str) -> None:
    problems.append(msg)


def ws(s: str) -> str:
    return " ".join(s.split())


def words(text: str) -> list[tuple[str, int, int]]:
    return [(m.group().casefold(), m.start(), m.end()) for m in WORD.finditer(text)]


def shingles(text: str) -> dict[tuple[str, ...], list[tuple[int, int]]]:
    w = words(text)
    out: dict[tuple[str, ...], list[tuple[int, int]]] = {}
    for i in range(len(w) - SHINGLE + 1):
        key = tuple(t for t, _, _ in w[i : i + SHINGLE])
        out.setdefault(key, []).append((w[i][1], w[i + SHINGLE - 1][2]))
    return out


def covered(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(s <= span[0] and span[1] <= e for s, e in spans)


def neighbour_words(text: str, start: int, end: int) -> tuple[str | None, str | None]:
    before = text[:start].split()
    after = text[end:].split()
    return (before[-1].casefold() if before else None, after[0].casefold() if after else None)


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans inside ``text[start:end]``, without surrounding whitespace."""
    out: list[tuple[int, int]] = []
    pos = start
    cuts = [
        (m.end(), m.end()) if m.group().strip() else (m.start(), m.end())
        for m in SENTENCE_END.finditer(text, start, end)
    ]
    for cut, resume in [*cuts, (end, end)]:
        seg = text[pos:cut]
        if seg.strip():
            out.append((pos + len(seg) - len(seg.lstrip()), pos + len(seg.rstrip())))
        pos = resume
    return out


def bigrams(text: str) -> set[tuple[str, str]]:
    w = [t for t, _, _ in words(text)]
    return set(zip(w, w[1:], strict=False))


def longest_unshared_run(text: str, span: tuple[int, int], other: str) -> int:
    """Most consecutive sentences of ``text[span]`` without a counterpart in ``other``."""
    other_bigrams = bigrams(other)
    run = longest = 0
    for s, e in sentences(text, *span):
        own = bigrams(text[s:e])
        shared = len(own & other_bigrams) / len(own) if own else 1.0
        run = run + 1 if shared < COUNTERPART else 0
        longest = max(longest, run)
    return longest


def check_one_passage_per_reuse(
    where: str, ta: str, tb: str, spans: list[tuple[tuple[int, int], tuple[int, int]]]
) -> None:
    """The merge/split convention (see the module docstring) for one pair's passages."""
    for sa, sb in spans:
        for side, text, span, other in (
            ("a", ta, sa, tb[sb[0] : sb[1]]),
            ("b", tb, sb, ta[sa[0] : sa[1]]),
        ):
            run = longest_unshared_run(text, span, other)
            if run > MAX_GAP:
                fail(
                    f"{where}: passage at {side} {span[0]} holds {run} unshared sentences in a row; split it"
                )
    by_a = sorted(spans)
    by_b = sorted(spans, key=lambda p: p[1])
    for (pa, pb), (qa, qb) in zip(by_a, by_a[1:], strict=False):
        if by_b.index((qa, qb)) != by_b.index((pa, pb)) + 1:
            continue  # not in the same order on both sides (or another passage in between)
        gap_a = len(sentences(ta, pa[1], qa[0]))
        gap_b = len(sentences(tb, pb[1], qb[0]))
        if gap_a <= MAX_GAP and gap_b <= MAX_GAP:
            fail(
                f"{where}: passages at a {pa[0]} and a {qa[0]} are only {gap_a}/{gap_b} sentences "
                "apart: one reuse, list them as one passage"
            )


def load_corpus() -> dict[str, dict]:
    arts: dict[str, dict] = {}
    path = HERE / "corpus.jsonl"
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            fail(f"corpus.jsonl:{n}: blank line")
            continue
        a = json.loads(line)
        missing = [f for f in FIELDS if not isinstance(a.get(f), str) or not a[f]]
        if missing:
            fail(f"corpus.jsonl:{n}: missing/empty fields {missing}")
            continue
        if a["id"] in arts:
            fail(f"duplicate id {a['id']}")
        arts[a["id"]] = a
        t = a["text"]
        if not 1500 <= len(t) <= 4500:
            fail(f"{a['id']}: text length {len(t)} outside 1500-4500")
        if t != t.strip() or "\r" in t or "\n\n\n" in t:
            fail(f"{a['id']}: stray whitespace / CR / empty paragraphs")
        if len(t.split("\n\n")) < 4:
            fail(f"{a['id']}: fewer than 4 paragraphs")
        if ws(t).startswith(ws(a["title"])):
            fail(f"{a['id']}: text repeats the title")
        if a["lang"] not in ("de", "en"):
            fail(f"{a['id']}: lang {a['lang']!r}")
        if a["lang"] == "de" and ('"' in t or "„" not in t or "“" not in t):
            fail(f"{a['id']}: German text needs „…“ quotes and no ASCII double quotes")
        try:
            if datetime.fromisoformat(a["published"]).tzinfo is None:
                fail(f"{a['id']}: published has no timezone")
        except ValueError:
            fail(f"{a['id']}: published not ISO 8601")
        host = urlparse(a["url"]).hostname or ""
        if not (host.endswith("example.org") or host.endswith("example.com")):
            fail(f"{a['id']}: url host {host!r} not example.org/example.com")
    return arts


def check_truth(arts: dict[str, dict]) -> None:
    truth = json.loads((HERE / "truth.json").read_text(encoding="utf-8"))
    story_of: dict[str, int] = {}
    for i, group in enumerate(truth["stories"]):
        for aid in group:
            if aid not in arts:
                fail(f"stories: unknown id {aid}")
            if aid in story_of:
                fail(f"stories: {aid} listed twice")
            story_of[aid] = i
    for aid in arts:
        if aid not in story_of:
            fail(f"stories: {aid} not listed")

    reuse_pairs: set[frozenset[str]] = set()
    for pair in truth["reuse"]:
        a_id, b_id = pair["a"], pair["b"]
        if a_id not in arts or b_id not in arts:
            fail(f"reuse: unknown id in {a_id} -> {b_id}")
            continue
        if story_of.get(a_id) != story_of.get(b_id):
            fail(f"reuse: {a_id} and {b_id} are in different stories")
        if datetime.fromisoformat(arts[a_id]["published"]) >= datetime.fromisoformat(
            arts[b_id]["published"]
        ):
            fail(f"reuse: source {a_id} not published before {b_id}")
        reuse_pairs.add(frozenset((a_id, b_id)))
        ta, tb = arts[a_id]["text"], arts[b_id]["text"]
        spans_a: list[tuple[int, int]] = []
        spans_b: list[tuple[int, int]] = []
        for k, p in enumerate(pair["passages"]):
            where = f"reuse {a_id}->{b_id} passage {k}"
            sa, sb = p["a_text"], p["b_text"]
            if ta.count(sa) != 1:
                fail(f"{where}: a_text occurs {ta.count(sa)} times in {a_id}")
                continue
            if tb.count(sb) != 1:
                fail(f"{where}: b_text occurs {tb.count(sb)} times in {b_id}")
                continue
            a0, b0 = ta.index(sa), tb.index(sb)
            span_a, span_b = (a0, a0 + len(sa)), (b0, b0 + len(sb))
            if sa != sa.strip() or sb != sb.strip():
                fail(f"{where}: passage has leading/trailing whitespace")
            if p["kind"] == "verbatim":
                if ws(sa) != ws(sb):
                    fail(f"{where}: marked verbatim but differs beyond whitespace")
            elif p["kind"] == "edited":
                if ws(sa) == ws(sb):
                    fail(f"{where}: marked edited but identical")
                # word-multiset containment tolerates reordered sentences
                wa = Counter(t for t, _, _ in words(sa))
                wb = Counter(t for t, _, _ in words(sb))
                ratio = sum((wa & wb).values()) / min(sum(wa.values()), sum(wb.values()))
                if ratio < 0.75:
                    fail(f"{where}: edited passage too dissimilar (word overlap {ratio:.2f})")
            else:
                fail(f"{where}: unknown kind {p['kind']!r}")
            pa, na = neighbour_words(ta, *span_a)
            pb, nb = neighbour_words(tb, *span_b)
            if pa is not None and pa == pb:
                fail(f"{where}: not maximal at the start (both preceded by {pa!r})")
            if na is not None and na == nb:
                fail(f"{where}: not maximal at the end (both followed by {na!r})")
            for s, e in spans_a:
                if s < span_a[1] and span_a[0] < e:
                    fail(f"{where}: overlaps another passage in {a_id}")
            for s, e in spans_b:
                if s < span_b[1] and span_b[0] < e:
                    fail(f"{where}: overlaps another passage in {b_id}")
            spans_a.append(span_a)
            spans_b.append(span_b)
        check_one_passage_per_reuse(
            f"reuse {a_id}->{b_id}", ta, tb, list(zip(spans_a, spans_b, strict=True))
        )
        # completeness: every shared 8-word run lies inside listed passages on both sides
        sh_a, sh_b = shingles(ta), shingles(tb)
        for key in sh_a.keys() & sh_b.keys():
            bad_a = [s for s in sh_a[key] if not covered(s, spans_a)]
            bad_b = [s for s in sh_b[key] if not covered(s, spans_b)]
            if bad_a or bad_b:
                fail(
                    f"reuse {a_id}->{b_id}: shared text outside listed passages: {' '.join(key)!r}"
                )

    indirect = {frozenset(p) for p in truth.get("indirect_reuse", [])}
    for pair in indirect:
        x, y = sorted(pair)
        if not shingles(arts[x]["text"]).keys() & shingles(arts[y]["text"]).keys():
            fail(f"indirect_reuse {x}/{y}: no shared text")

    # no shared text anywhere else (including the extra standalone texts)
    texts = {aid: a["text"] for aid, a in arts.items()}
    for name in ("putin-syria-earlier.txt", "unrelated-de.txt"):
        texts[name] = (HERE / name).read_text(encoding="utf-8")
    sh = {k: set(shingles(v)) for k, v in texts.items()}
    for x, y in combinations(sorted(texts), 2):
        pair = frozenset((x, y))
        if pair in reuse_pairs or pair in indirect:
            continue
        common = sh[x] & sh[y]
        if common:
            fail(f"{x} and {y} share unlisted text, e.g. {' '.join(next(iter(common)))!r}")


def check_files(arts: dict[str, dict]) -> None:
    def body(name: str) -> str:
        t = (HERE / name).read_text(encoding="utf-8")
        if not t.endswith("\n") or t.endswith("\n\n"):
            fail(f"{name}: should end with exactly one newline")
        return t[:-1] if t.endswith("\n") else t

    if body("pair/agency.txt") != arts.get("flood-wire", {}).get("text"):
        fail("pair/agency.txt differs from corpus text of flood-wire")
    if body("pair/rewrite.txt") != arts.get("flood-jetzt", {}).get("text"):
        fail("pair/rewrite.txt differs from corpus text of flood-jetzt")
    for name, lo, hi in (("putin-syria-earlier.txt", 2000, 3000), ("unrelated-de.txt", 1500, 2500)):
        t = body(name)
        if not lo <= len(t) <= hi:
            fail(f"{name}: length {len(t)} outside {lo}-{hi}")
        if '"' in t or "„" not in t:
            fail(f"{name}: German typographic quotes „…“ expected, no ASCII double quotes")


def main() -> int:
    arts = load_corpus()
    check_truth(arts)
    check_files(arts)
    if problems:
        for p in problems:
            print("FAIL:", p)
        print(f"{len(problems)} problem(s)")
        return 1
    n = sum(
        len(p["passages"])
        for p in json.loads((HERE / "truth.json").read_text(encoding="utf-8"))["reuse"]
    )
    print(f"OK: {len(arts)} articles, {n} reused passages, all consistent")
    return 0


if __name__ == "__main__":
    sys.exit(main())

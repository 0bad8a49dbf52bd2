"""Agency credits: which news agencies an article names as the source of its text, and which
only as the source of a picture.

Credits are found wherever they are written, by the conventions German, English and French
outlets use:

* a **dateline** at the start of a paragraph: ``Moskau (dpa) -``, ``PARIS (AFP) –``,
  ``Berlin (dpa/AFP/jk):``;
* a **credit in parentheses** closing a paragraph or the text: ``... zurückgeworfen. (dpa)``,
  ``(dpa/AFP/jk)``, ``(AFP/Reuters)``;
* a **credit line**: ``Mit Material der AP und der dpa``, ``Mit Material von dpa``,
  ``Quelle: dpa``, ``Agenturen: dpa, AFP``, ``Material from Reuters``, ``Source: AP``,
  ``(Reporting by ...; Editing by ...)`` with ``(Reuters)``, ``avec AFP``, ``Source : AFP``;
* an agency name **alone on the last line** of the text (``dpa``), or alone on a line followed
  by another agency credit line.

**Picture credits** are kept apart and never count as a text source: ``Foto: dpa``,
``Bild: picture alliance/dpa``, ``© AFP``, ``(Foto: AFP)``, ``Video: Reuters``, ``Getty
Images/AFP``, and an agency name alone on a line directly above a short line (a caption):
``AFP`` / ``François Hollande und Wladimir Putin gestern abend``.

An agency merely *mentioned* in the body ("berichtete die Nachrichtenagentur Reuters") is no
credit. :data:`AGENCIES` lists the major agencies; ``extra`` names others (regional agencies,
a user's ``--agency NAME``), matched case-sensitively as whole words like the rest.

>>> c = find_credits("Moskau (dpa) - Putin traf Hollande.\\n\\nFoto: AFP\\n\\nMit Material der AP")
>>> c.text, c.image
(('AP', 'dpa'), ('AFP',))
>>> agency_credits("Brackenfeld (nwa) – Die Ramse steigt.", extra=("nwa",))
('nwa',)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["AGENCIES", "CREDIT_RULES_VERSION", "Credit", "Credits", "agency_credits", "find_credits"]

#: Bumped when the rules change, so that a store finds its articles' credits again.
CREDIT_RULES_VERSION = 2

#: Canonical agency names and the spellings that denote them (matched as whole words).
AGENCIES: dict[str, tuple[str, ...]] = {
    "dpa": ("dpa", "DPA"),
    "dpa-AFX": ("dpa-AFX",),
    "AFP": ("AFP", "afp"),
    "AP": ("AP", "ap"),
    "Reuters": ("Reuters", "REUTERS", "rtr", "Rtr", "rts"),
    "epd": ("epd",),
    "KNA": ("KNA", "kna"),
    "SID": ("SID", "sid"),
    "APA": ("APA", "apa"),
    "KAP": ("KAP",),
    "Keystone-SDA": ("Keystone-SDA", "SDA", "sda"),
    "dts": ("dts",),
    "ANSA": ("ANSA",),
    "EFE": ("EFE",),
    "AFX": ("AFX",),
    "Belga": ("Belga",),
    "ANP": ("ANP",),
    "PA": ("PA Media",),
    "Bloomberg": ("Bloomberg",),
    "Xinhua": ("Xinhua",),
    "TASS": ("TASS", "Tass"),
    "Interfax": ("Interfax",),
}


@dataclass(frozen=True, slots=True)
class Credit:
    """One credit: canonical ``agency``, ``kind`` (``"text"`` or ``"image"``) and the span
    ``[start, end)`` of the words that give it, in code points of the text."""

    agency: str
    kind: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Credits:
    """The credits of one text: ``text`` and ``image`` agencies (sorted canonical names; an
    agency credited for both is in both) and every ``found`` credit with its span."""

    text: tuple[str, ...]
    image: tuple[str, ...]
    found: tuple[Credit, ...]


class _Rules:
    """The compiled patterns for one set of agency names."""

    def __init__(self, extra: tuple[str, ...]) -> None:
        self.names: dict[str, str] = {}
        for name, aliases in AGENCIES.items():
            for alias in aliases:
                self.names[alias] = name
        for name in extra:
            self.names.setdefault(name, name)
        alias = "|".join(sorted((re.escape(a) for a in self.names), key=len, reverse=True))
        one = rf"(?<![\w-])(?:{alias})(?![\w-])"
        joiner = r"\s*(?:/|,|;|\+|&|\bund\b|\band\b|\bet\b)\s*(?:(?:der|des|von|the|l'|de\s+l')\s*)?"
        # A list of agencies, optionally followed by an author code: "dpa/AFP/jk".
        self.list = rf"{one}(?:{joiner}{one})*"
        author = r"(?:\s*/\s*[A-Za-zÄÖÜäöü]{1,4}\.?)?"
        image_word = (
            r"(?:Fotos?|Bild(?:er)?|Bildquelle|Photos?|Pictures?|Images?|Videos?|Grafik|Karte|"
            r"Titelbild|Symbolbild|Bildrechte|Credit|Crédit photo|Fotografie)"
        )
        self.image = [
            # Foto: dpa · Bild: picture alliance/dpa/Anna Berg · (Foto: AFP) · Video: Reuters
            re.compile(rf"\b{image_word}\s*:\s*[^\n]{{0,60}}?(?P<list>{self.list})"),
            # © AFP · ©dpa · (c) dpa · Getty Images/AFP · picture alliance / dpa
            re.compile(rf"(?:©|\(c\)|Copyright)\s*[^\n]{{0,40}}?(?P<list>{self.list})"),
            re.compile(
                rf"(?:Getty Images|[Pp]icture[- ]?[Aa]lliance|[Ii]mago(?: [Ii]mages)?|Shutterstock)"
                rf"\s*/\s*(?P<list>{self.list})"
            ),
            # a caption's source: "(Quelle: Anna Berg/Reuters)", a photographer / agency
            re.compile(
                rf"\(\s*(?:Quelle|Source)\s*:\s*[A-ZÄÖÜ][\w'-]+(?:\s+[A-ZÄÖÜ][\w'-]+)+"
                rf"\s*/\s*(?P<list>{self.list})\s*\)"
            ),
        ]
        # Case-sensitive alternatives (both capitalisations where a credit may start a line or
        # follow a bracket): a case-insensitive alternation is tried at every position of a
        # text and cost a third of the ingest stage on news-de.
        credit_words = (
            r"(?:[Mm]it (?:Agentur)?[Mm]aterial (?:der|von|des)|"
            r"[Uu]nter Verwendung von Material (?:der|von)|[Mm]aterial (?:from|by)|"
            r"(?:QUELLEN?|Quellen?)\s*:|(?:SOURCES?|Sources?)\s*:|Agenturen?\s*:|"
            r"[Mm]it Informationen (?:der|von)|[Ww]ith (?:reporting|material) (?:from|by)|"
            r"(?<=\()\s*[Aa]vec|(?m:^)\s*[Aa]vec)"
        )
        # Moskau (dpa) - · PARIS (AFP) – · Berlin (dpa/AFP/jk):
        dateline = re.compile(
            rf"(?m)^[^\S\n]*[^\n()]{{0,60}}?\(\s*(?P<list>{self.list}){author}\s*\)\s*[-–—:]"
        )
        # ... zurückgeworfen. (dpa) · (dpa/AFP/jk) at the end of a paragraph
        paragraph_end = re.compile(rf"(?m)\(\s*(?P<list>{self.list}){author}\s*\)[^\S\n]*$")
        # Mit Material der AP und der dpa · Quelle: dpa · avec AFP · Quelle: Sender.de, abc/dpa
        # (outlet and author codes may come first: "Quelle: Kurier/dpa", "xyz./AFP/Reuters")
        self.credit_line = re.compile(
            rf"{credit_words}\s*(?:der\s+|des\s+|l'\s*|the\s+)?"
            rf"(?:(?!{one})[\w.&-]{{1,12}}\s*[,/]\s*){{0,3}}(?P<list>{self.list})"
        )
        # (mit dpa) · (Tsp mit dpa) · (with AP)
        with_agency = re.compile(
            rf"\(\s*(?:[\w.]+\s+)?(?:mit|with)\s+(?P<list>{self.list}){author}\s*\)"
        )
        # a credit in parentheses after a sentence, where paragraph breaks were lost:
        # "... auf Twitter. (dpa, epd) --- Die ..." · "... wird. (AFP) Die Regierung ..."
        after_sentence = re.compile(
            rf"(?<=[.!?“”\"»])\s*\(\s*(?P<list>{self.list}){author}\s*\)"
            rf"(?=\s*(?:$|---|\+\+\+|[A-ZÄÖÜ„\"]))"
        )
        # (Reporting by Anna Berg; Editing by Tom Hill) ... (Reuters)
        reporting = re.compile(rf"(?i:Reporting by)[^\n]{{0,200}}?\(\s*(?P<list>{self.list})\s*\)")
        # Patterns whose match ends within a few characters of an agency name and that do not
        # look for the end of a line: searched only in a window around each agency name
        # (a fifth of the time of scanning whole texts on news-de). The others scan the text.
        self.text_windowed = [dateline, self.credit_line, with_agency, reporting]
        self.text_whole = [paragraph_end, after_sentence]
        # Blatt/dpa · Blatt/epd/dpa · AP/Blatt · dpa/AFP/jk closing the text or a line: searched only
        # in the last characters of each line (see find_credits).
        self.line_end = re.compile(
            rf"(?m)(?:^|(?<=[.!?“”\"»«)])\s)[^\S\n]*(?:[A-Za-zÄÖÜ.]{{1,8}}\s*/\s*){{0,3}}"
            rf"(?P<list>{self.list})(?:\s*/\s*[A-Za-zÄÖÜ.]{{1,8}}){{0,3}}[^\S\n]*$"
        )
        # Nachrichtenagentur dpa · Nachrichtenagenturen Reuters und dpa, in a closing list of
        # sources; not "laut der Nachrichtenagentur dpa" (see _NOT_A_CREDIT_BEFORE), nor
        # "Nachrichtenagentur AP meldete" (a lower-case word follows).
        self.named = re.compile(
            rf"Nachrichtenagentur(?:en)?\s+(?P<list>{self.list})(?=\s*$|\s+[A-ZÄÖÜ])"
        )
        # An agency alone on a line: a picture credit above a caption, else a text credit.
        self.alone = re.compile(rf"(?m)^[^\S\n]*(?P<list>{self.list}){author}[^\S\n]*$")
        self.split = re.compile(joiner)
        self.any = re.compile(one)

    def canonical(self, names: str) -> list[str]:
        out = []
        for part in self.split.split(names):
            part = part.strip().rstrip(".")
            if part in self.names:
                out.append(self.names[part])
        return out


#: Words before "Nachrichtenagentur dpa" that make it a mention in a sentence, not a credit.
_NOT_A_CREDIT_BEFORE = re.compile(
    r"(?:\b(?:[Dd]er|[Dd]ie|den|dem|laut|von|zur|einer|[Ee]ine|staatlichen?|chinesischen|"
    r"russischen|amerikanischen|türkischen|iranischen)\s+)$"
)

_NEWLINE = re.compile("\n")

#: The window searched around each agency name: characters before (a credit's opening words,
#: "Reporting by" and a name list) and after (the rest of a list of agencies and an author code).
_BEFORE, _AFTER = 260, 60

#: How far before a line's end a closing credit ("Blatt/dpa") is looked for (characters).
_LINE_END_WINDOW = 120


@lru_cache(maxsize=16)
def _rules(extra: tuple[str, ...]) -> _Rules:
    return _Rules(extra)


def _next_line(text: str, end: int) -> str:
    """The next non-blank line after position ``end`` ('' if none)."""
    for line in text[end:].split("\n")[1:]:
        if line.strip():
            return line.strip()
    return ""


def find_credits(text: str, extra: Iterable[str] = ()) -> Credits:
    """Every agency credit of ``text`` (see the module docs), text and picture credits apart."""
    rules = _rules(tuple(sorted(set(extra))))
    found: list[Credit] = []
    claimed: list[tuple[int, int]] = []

    def add(m: re.Match[str], kind: str) -> None:
        start, end = m.span("list")
        if any(s <= start < e for s, e in claimed):
            return
        claimed.append((start, end))
        for agency in rules.canonical(m.group("list")):
            found.append(Credit(agency, kind, start, end))

    hits = [m.start() for m in rules.any.finditer(text)]
    if not hits:  # every credit names an agency
        return Credits((), (), ())
    windows = []
    for p in hits:
        lo, hi = max(0, p - _BEFORE), min(len(text), p + _AFTER)
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], hi)
        else:
            windows.append((lo, hi))

    def windowed(pattern: re.Pattern[str]) -> list[re.Match[str]]:
        return [m for lo, hi in windows for m in pattern.finditer(text, lo, hi)]

    for pattern in rules.image:
        for m in windowed(pattern):
            add(m, "image")
    for m in rules.alone.finditer(text):
        following = _next_line(text, m.end())
        if not following:
            add(m, "text")  # the last line of the text: an end credit
        elif len(following) <= 160 and not rules.alone.match(following):
            add(m, "image")  # above a short line: the credit of a picture and its caption
        elif rules.credit_line.match(following):
            add(m, "text")
    for pattern in rules.text_windowed:
        for m in windowed(pattern):
            add(m, "text")
    for pattern in rules.text_whole:
        for m in pattern.finditer(text):
            add(m, "text")
    start = 0
    for end in [*(m.start() for m in _NEWLINE.finditer(text)), len(text)]:
        m = rules.line_end.search(text, max(start, end - _LINE_END_WINDOW), end)
        if m is not None:
            add(m, "text")
        start = end + 1
    for m in rules.named.finditer(text):
        if not _NOT_A_CREDIT_BEFORE.search(text, max(0, m.start() - 20), m.start()):
            add(m, "text")
    found.sort(key=lambda c: (c.start, c.agency))
    return Credits(
        text=tuple(sorted({c.agency for c in found if c.kind == "text"})),
        image=tuple(sorted({c.agency for c in found if c.kind == "image"})),
        found=tuple(found),
    )


def agency_credits(text: str, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """Canonical names of the agencies credited for ``text`` (not for its pictures), sorted."""
    return find_credits(text, extra).text

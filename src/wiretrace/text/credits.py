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
    "Reuters": ("Reuters", "REUTERS", "rtr", "Rtr"),
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
            r"(?:Fotos?|Bilder?|Bildquelle|Photos?|Pictures?|Images?|Videos?|Grafik|Karte|"
            r"Titelbild|Symbolbild|Bildrechte|Credit|Crédit photo|Fotografie)"
        )
        self.image = [
            # Foto: dpa · Bild: picture alliance/dpa/Kay Nietfeld · (Foto: AFP) · Video: Reuters
            re.compile(rf"\b{image_word}\s*:\s*[^\n]{{0,60}}?(?P<list>{self.list})"),
            # © AFP · ©dpa · (c) dpa · Getty Images/AFP · picture alliance / dpa
            re.compile(rf"(?:©|\(c\)|Copyright)\s*[^\n]{{0,40}}?(?P<list>{self.list})"),
            re.compile(
                rf"(?:Getty Images|picture[- ]alliance|imago(?: images)?|Shutterstock)"
                rf"\s*/\s*(?P<list>{self.list})",
                re.IGNORECASE,
            ),
        ]
        credit_words = (
            r"(?:Mit Material (?:der|von|des)|Mit Agenturmaterial (?:der|von)|"
            r"Unter Verwendung von Material (?:der|von)|Material (?:from|by)|Quellen?\s*:|"
            r"Sources?\s*:|Agenturen?\s*:|Mit Informationen (?:der|von)|with (?:reporting|"
            r"material) (?:from|by)|(?<=\()\s*avec|(?m:^)\s*avec)"
        )
        self.text = [
            # Moskau (dpa) - · PARIS (AFP) – · Berlin (dpa/AFP/jk):
            re.compile(
                rf"(?m)^[^\S\n]*[^\n()]{{0,60}}?\(\s*(?P<list>{self.list}){author}\s*\)\s*[-–—:]"
            ),
            # ... zurückgeworfen. (dpa) · (dpa/AFP/jk) at the end of a paragraph
            re.compile(rf"(?m)\(\s*(?P<list>{self.list}){author}\s*\)[^\S\n]*$"),
            # Mit Material der AP und der dpa · Quelle: dpa · avec AFP
            re.compile(rf"(?i:{credit_words})\s*(?:der\s+|des\s+|l'\s*|the\s+)?(?P<list>{self.list})"),
            # (Reporting by Anna Berg; Editing by Tom Hill) ... (Reuters)
            re.compile(rf"(?i:Reporting by)[^\n]{{0,200}}?\(\s*(?P<list>{self.list})\s*\)"),
        ]
        # An agency alone on a line: a picture credit above a caption, else a text credit.
        self.alone = re.compile(rf"(?m)^[^\S\n]*(?P<list>{self.list}){author}[^\S\n]*$")
        self.split = re.compile(joiner)

    def canonical(self, names: str) -> list[str]:
        out = []
        for part in self.split.split(names):
            part = part.strip().rstrip(".")
            if part in self.names:
                out.append(self.names[part])
        return out


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

    for pattern in rules.image:
        for m in pattern.finditer(text):
            add(m, "image")
    for pattern in rules.text:
        for m in pattern.finditer(text):
            add(m, "text")
    for m in rules.alone.finditer(text):
        following = _next_line(text, m.end())
        if not following:
            add(m, "text")  # the last line of the text: an end credit
        elif len(following) <= 160 and not rules.alone.match(following):
            add(m, "image")  # above a short line: the credit of a picture and its caption
        elif any(p.match(following) for p in rules.text[2:3]):
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

"""Agency credit lines: which news agencies an article names as its source.

Looks for the conventions German and English outlets use: a dateline or end credit in
parentheses ("Berlin (dpa) -", "(dpa/AFP)"), "Mit Material der dpa", "Quelle: Reuters/dpa",
"Material from Reuters", "Reporting by ... (Reuters)". Only the first and last 400 characters
are searched, where credits stand; a story that merely *mentions* Reuters in its body is not
credited to it.
"""

from __future__ import annotations

import re

# Canonical agency names and the spellings that denote them (matched as whole words).
AGENCIES: dict[str, tuple[str, ...]] = {
    "dpa": ("dpa",),
    "dpa-AFX": ("dpa-AFX",),
    "AFP": ("AFP",),
    "AP": ("AP",),
    "Reuters": ("Reuters", "rtr"),
    "epd": ("epd",),
    "KNA": ("KNA",),
    "SID": ("SID", "sid"),
    "APA": ("APA",),
    "KAP": ("KAP",),
    "Keystone-SDA": ("Keystone-SDA", "SDA"),
    "dts": ("dts",),
}
_NAME_TO_AGENCY = {alias: name for name, aliases in AGENCIES.items() for alias in aliases}
_ALIASES = "|".join(sorted((re.escape(a) for a in _NAME_TO_AGENCY), key=len, reverse=True))
_LIST = rf"(?:{_ALIASES})(?:\s*(?:/|,|und|and|&)\s*(?:(?:der|des|von)\s+)?(?:{_ALIASES}))*"
_PATTERNS = [
    re.compile(rf"\(\s*({_LIST})\s*\)"),  # (dpa), (dpa/AFP)
    re.compile(
        rf"(?:Mit Material (?:der|von|des)|Material (?:from|by)|Quelle:|Source:|"
        rf"Agenturen?:|Mit Agenturmaterial (?:der|von))\s*({_LIST})",
        re.IGNORECASE,
    ),
    re.compile(rf"(?m)^\s*({_LIST})\s*$"),  # a credit alone on the last line: "dpa"
    re.compile(rf"\b({_LIST})\s*[/-]\s*[A-ZÄÖÜ]{{2,4}}\b(?=\s*$)"),  # "dpa/jk" author codes
]
_SPLIT = re.compile(r"\s*(?:/|,|\bund\b|\band\b|&)\s*(?:(?:der|des|von)\s+)?")
_EDGE_CHARS = 400


def agency_credits(text: str) -> tuple[str, ...]:
    """Canonical names of the agencies credited in ``text``, sorted; () when none."""
    edges = [text[:_EDGE_CHARS], text[-_EDGE_CHARS:]] if len(text) > 2 * _EDGE_CHARS else [text]
    found: set[str] = set()
    for part in edges:
        for pattern in _PATTERNS:
            for m in pattern.finditer(part):
                for name in _SPLIT.split(m.group(1)):
                    agency = _NAME_TO_AGENCY.get(name.strip())
                    if agency is None:
                        agency = next(
                            (v for k, v in _NAME_TO_AGENCY.items() if k.lower() == name.lower()),
                            None,
                        )
                    if agency:
                        found.add(agency)
    return tuple(sorted(found))

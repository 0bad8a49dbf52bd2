"""Publication dates as people write them -> ISO 8601, from a fixed list of forms.

One reader for every input (JSON, CSV, HTML metadata, WARC headers, feeds, ``--published-column``).
:func:`read_date` accepts exactly these forms and nothing else, so that no date is guessed:

* **ISO 8601**, with or without time and zone (``2024-05-14``, ``2024-05-14T11:30+02:00``,
  ``2024-05-14 06:10:00Z``, also basic ``20240514`` and week dates ``2024-W20-2``);
* **RFC 2822 / 1123** as in RSS and e-mail: ``Tue, 14 May 2024 06:10:00 +0200``, ``... GMT``;
* **ctime**: ``Sat Jan  4 00:00:00 2020``;
* **epoch** seconds (9 or 10 digits, optionally with a fraction) and milliseconds (12 or 13
  digits), as a number or a string, 1973–2286;
* **day, month name, year** in German, English and French, optionally after a weekday and
  followed by a time and a zone: ``26. November 2015``, ``Donnerstag, 26. Nov. 2015, 10:30 Uhr``,
  ``jeudi 1er décembre 2015 à 10h30``, ``26 November 2015 10:30 CET``; and **month name, day,
  year** (``November 26, 2015``, ``Thursday, November 26, 2015 10:30 AM``): a month *name* is
  never ambiguous;
* **numeric** ``D.M.YYYY``, ``D/M/YYYY``, ``D-M-YYYY`` (day first, or month first with
  ``order="MDY"``: ``3/4/2021`` is 3 April by default and never guessed either way; a day or
  month out of range is an error, not a swap) and ``YYYY/M/D``, each with an optional time and
  zone (``27/11/2015 04:36 CET``).

Times: ``H:MM``, ``H:MM:SS`` (fractions allowed), ``10h30``, with an optional ``Uhr`` and, in
English, ``AM``/``PM``. Zones: ``Z``, numeric offsets (``+0200``, ``+02:00``, ``UTC+1``) and the
abbreviations in :data:`ZONE_OFFSETS` (European ones such as ``CET``/``MEZ``/``CEST``/``MESZ``
and the RFC 822 US zones).

The result is an ISO 8601 string that keeps the precision the input had: a date alone stays a
date (``2015-11-26``), a time without a zone stays a local time (``2015-11-26T10:30:00``, read
as UTC where times are compared), a known zone becomes an offset (``2024-05-14T06:10:00+02:00``),
an epoch is UTC (``+00:00``). A value already in extended ISO 8601 form is returned exactly as
given (stripped of surrounding spaces).

>>> read_date("Tue, 14 May 2024 06:10:00 +0200")
'2024-05-14T06:10:00+02:00'
>>> read_date("Sat Jan  4 00:00:00 2020")
'2020-01-04T00:00:00'
>>> read_date("26. November 2015"), read_date("27/11/2015 04:36 CET")
('2015-11-26', '2015-11-27T04:36:00+01:00')
>>> read_date("3/4/2021"), read_date("3/4/2021", order="MDY")
('2021-04-03', '2021-03-04')
>>> read_date(1715666400)
'2024-05-14T06:00:00+00:00'
>>> try:
...     read_date("gestern")
... except DateError as error:
...     print(error)
cannot read date 'gestern'
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Literal

__all__ = ["DATE_ORDERS", "ZONE_OFFSETS", "DateError", "DateOrder", "read_date"]

DateOrder = Literal["DMY", "MDY"]

#: The values ``--date-order`` takes: which comes first in a numeric date, day or month.
DATE_ORDERS: tuple[str, ...] = ("DMY", "MDY")

#: Zone abbreviations read, with their offset from UTC in minutes. Ambiguous names beyond the
#: RFC 822 set (``IST``, ``AST`` ...) are left out on purpose: a wrong offset is worse than none.
ZONE_OFFSETS: dict[str, int] = {
    "z": 0, "ut": 0, "utc": 0, "gmt": 0, "wet": 0,
    "cet": 60, "mez": 60, "west": 60, "bst": 60,
    "cest": 120, "mesz": 120, "eet": 120,
    "eest": 180,
    "est": -300, "edt": -240, "cst": -360, "cdt": -300,
    "mst": -420, "mdt": -360, "pst": -480, "pdt": -420,
}  # fmt: skip

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan januar jänner jaenner janvier janv",
        "february feb februar feber février fevrier févr fevr",
        "march mar märz maerz mrz mär mars",
        "april apr avril avr",
        "may mai",
        "june jun juni juin",
        "july jul juli juillet juil",
        "august aug août aout",
        "september sep sept septembre",
        "october oct oktober okt octobre",
        "november nov novembre",
        "december dec dezember dez décembre decembre déc",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonnabend", "sonntag", "mo", "di", "mi", "do", "fr", "sa", "so", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "lun", "mar", "mer", "jeu", "ven", "sam", "dim"]


def _alternation(words: list[str]) -> str:
    # Longest first, so that "sept" is tried before "sep" and "januar" before "jan".
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_MONTH = rf"(?P<month>{_alternation(list(_MONTHS))})\.?"
_WEEKDAY = rf"(?:(?:{_alternation(_WEEKDAYS)})\.?,?\s+)?"
_DAY = r"(?P<day>\d{1,2})(?:\.|er|st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_TIME = (
    r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,6}))?)?"
    r"|h(?P<minute_h>\d{2}))"
    r"(?:\s*(?P<ampm>am|pm|a\.m\.|p\.m\.))?(?:\s*uhr)?"
)
_ZONE = (
    rf"(?P<zone>{_alternation(list(ZONE_OFFSETS))}"
    r"|(?:(?:utc|gmt)\s*)?[+-]\d{1,2}(?::?\d{2})?)"
)
# Between the date and the time: spaces, a comma, "um"/"at"/"à", a dash, or ISO's "T".
_JOIN = r"(?:\s*,\s*|\s+|\s*-\s*|\s+(?:um|at|à|a)\s+|\s*,\s*(?:um|at|à)\s+)"
_CLOCK = rf"(?:{_JOIN}{_TIME}(?:\s*\(?{_ZONE}\)?)?)?"

_FORMS = [
    # 26. November 2015 · Tue, 14 May 2024 06:10:00 +0200 · jeudi 1er décembre 2015 à 10h30
    rf"{_WEEKDAY}{_DAY}\s*{_MONTH},?\s+{_YEAR}{_CLOCK}",
    # November 26, 2015 · Thursday, November 26, 2015 10:30 AM
    rf"{_WEEKDAY}{_MONTH}\s+{_DAY},?\s+{_YEAR}{_CLOCK}",
    # ctime: Sat Jan  4 00:00:00 2020 (time before the year)
    rf"{_WEEKDAY}{_MONTH}\s+{_DAY}\s+{_TIME}(?:\s+{_ZONE})?\s+{_YEAR}",
    # 26.11.2015 · 27/11/2015 04:36 CET · 26-11-2015 (day or month first: --date-order)
    rf"{_WEEKDAY}(?P<first>\d{{1,2}})(?P<sep>[./-])(?P<second_num>\d{{1,2}})(?P=sep){_YEAR}{_CLOCK}",
    # 2015/11/26 · 2015.11.26
    rf"(?P<year_first>\d{{4}})(?P<ysep>[./])(?P<ymonth>\d{{1,2}})(?P=ysep)(?P<yday>\d{{1,2}}){_CLOCK}",
]
_COMPILED = [re.compile(rf"^{form}$", re.IGNORECASE) for form in _FORMS]

# Extended ISO 8601 as stored: returned exactly as given when it parses.
_EXTENDED_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|z|[+-]\d{2}(?::?\d{2})?)?)?$"
)
_EPOCH = re.compile(r"^(?P<int>\d{9,10}|\d{12,13})(?:\.(?P<frac>\d+))?$")
_OFFSET = re.compile(r"^(?:utc|gmt)?\s*(?P<sign>[+-])(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?$")

#: Epoch values outside these years are not dates but other numbers (ids, counts).
_EPOCH_YEARS = (1973, 2286)


class DateError(ValueError):
    """A value that is none of the accepted forms; ``str(error)`` is a one-line reason."""


def _iso_from_parts(
    year: int, month: int, day: int, clock: time | None, offset_minutes: int | None
) -> str:
    """ISO 8601 keeping the input's precision; raises ValueError for an impossible date."""
    d = date(year, month, day)
    if clock is None:
        return d.isoformat()
    t = datetime.combine(d, clock)
    if offset_minutes is not None:
        t = t.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    return t.isoformat()


def _zone_minutes(zone: str | None) -> int | None:
    if zone is None:
        return None
    zone = zone.lower().strip()
    if zone in ZONE_OFFSETS:
        return ZONE_OFFSETS[zone]
    m = _OFFSET.match(zone)
    if m is None:  # pragma: no cover - the form regexes only let the two kinds through
        raise ValueError(f"unknown zone {zone!r}")
    hours, minutes = int(m["h"]), int(m["m"] or 0)
    if hours > 14 or minutes > 59:
        raise ValueError(f"zone offset out of range: {zone!r}")
    total = hours * 60 + minutes
    return -total if m["sign"] == "-" else total


def _clock(groups: dict[str, str | None]) -> time | None:
    if groups.get("hour") is None:
        return None
    hour = int(groups["hour"] or 0)
    minute = int(groups.get("minute") or groups.get("minute_h") or 0)
    second = int(groups.get("second") or 0)
    fraction = groups.get("fraction")
    micro = int((fraction or "0").ljust(6, "0")[:6])
    ampm = (groups.get("ampm") or "").replace(".", "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError("hour out of range for AM/PM")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    return time(hour, minute, second, micro)


def _from_match(m: re.Match[str], order: DateOrder) -> str:
    g = m.groupdict()
    if g.get("year_first") is not None:
        year, month, day = int(g["year_first"]), int(g["ymonth"]), int(g["yday"])
    elif g.get("first") is not None:
        first, second = int(g["first"]), int(g["second_num"])
        day, month = (first, second) if order == "DMY" else (second, first)
        year = int(g["year"])
    else:
        year, month, day = int(g["year"]), _MONTHS[g["month"].lower()], int(g["day"])
    return _iso_from_parts(year, month, day, _clock(g), _zone_minutes(g.get("zone")))


def _from_epoch(value: float) -> str:
    seconds = value / 1000 if value >= 1e11 else value
    t = datetime.fromtimestamp(seconds, UTC)
    if not _EPOCH_YEARS[0] <= t.year <= _EPOCH_YEARS[1]:
        raise ValueError("epoch out of range")
    if t.microsecond == 0:
        return t.isoformat()
    return t.isoformat(timespec="milliseconds")


def read_date(value: object, *, order: DateOrder = "DMY") -> str:
    """The ISO 8601 form of a publication date written in one of the accepted forms.

    ``value`` is a string, or an int/float holding epoch seconds or milliseconds. ``order``
    decides numeric dates like ``3/4/2021``: ``"DMY"`` (day first, the default) or ``"MDY"``.
    See the module docs for the forms and the result.

    Raises:
        DateError: the value is not one of the accepted forms, or names an impossible date
            (``31.02.2020``); the message is ``cannot read date '...'`` with a hint where one
            helps.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise DateError(f"cannot read date: expected a string or a number, got {value!r}")
    if not isinstance(value, str):
        try:
            return _from_epoch(float(value))
        except (ValueError, OverflowError, OSError):
            raise DateError(f"cannot read date {value!r} (not an epoch in seconds or ms)") from None
    text = value.strip()
    shown = text if len(text) <= 60 else text[:57] + "..."
    if not text:
        raise DateError("cannot read date '' (empty)")
    try:
        if _EXTENDED_ISO.match(text):
            datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] in "Zz" else text)
            return text
        epoch = _EPOCH.match(text)
        if epoch is not None:
            return _from_epoch(float(text))
        squeezed = " ".join(text.split())
        for pattern in _COMPILED:
            m = pattern.match(squeezed)
            if m is not None:
                return _from_match(m, order)
        if len(text) <= 40:  # other ISO 8601 forms: basic (20240514T0610Z), week dates
            parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] in "Zz" else text)
            if "T" not in text.upper() and ":" not in text:
                return parsed.date().isoformat()
            return parsed.isoformat()
    except (ValueError, OverflowError, OSError):
        pass
    hint = ""
    if re.match(r"^\d{1,2}[./-]\d{1,2}[./-]\d{4}", text):
        other = "MDY" if order == "DMY" else "DMY"
        first = "day" if order == "DMY" else "month"
        hint = f" ({first} first; --date-order {other} for the other order)"
    raise DateError(f"cannot read date {shown!r}{hint}")

"""Publication times: read from an article's ``published`` field, and the order of publication.

>>> parse_time("2025-01-09T06:00:00+01:00")
datetime.datetime(2025, 1, 9, 5, 0)
>>> sorted([("b", None), ("a", parse_time("2025-01-02"))], key=lambda r: publication_key(r[1], r[0]))
[('a', datetime.datetime(2025, 1, 2, 0, 0)), ('b', None)]
"""

from __future__ import annotations

from datetime import UTC, datetime


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 date or datetime as naive UTC (date-only = midnight), None if unknown."""
    if not value:
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is not None:
        t = t.astimezone(UTC).replace(tzinfo=None)
    return t


def publication_key(time: datetime | None, tie: str | int) -> tuple[bool, datetime, str | int]:
    """Sort key of publication order: dated articles by time, then undated ones; ties broken
    by ``tie`` (the article id), so the order never depends on the order of insertion."""
    return (time is None, time or datetime.min, tie)

"""Errors users can cause. Each carries a one-line message naming the file, line or field and why.

The CLI prints ``str(error)`` on stderr and exits with code 2; nothing else about them is special.
"""

from __future__ import annotations


class WiretraceError(Exception):
    """Base class for every error wiretrace raises on purpose."""


class InputError(WiretraceError):
    """Bad user input: a missing, unreadable, empty or malformed file, line or field.

    ``source`` names the file (and ``line`` the 1-based line, when known); ``reason`` says why.
    """

    def __init__(self, source: str, reason: str, line: int | None = None) -> None:
        self.source = source
        self.reason = reason
        self.line = line
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {reason}")


class StoreError(WiretraceError):
    """The store is unusable: not a wiretrace store, written by a newer version, or corrupt."""

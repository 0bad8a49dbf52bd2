"""Bytes -> text for every reader: encodings detected, control characters removed, binaries refused.

Articles arrive in whatever encoding their tool wrote (German Excel: Windows-1252; Windows
tools: UTF-16 with a byte order mark) and sometimes with stray control bytes (a NUL from a
database export, a form feed from a PDF conversion). The rules, the same for every format:

* a byte order mark decides (UTF-8, UTF-16, UTF-32) and is not part of the text;
* else valid UTF-8 is UTF-8;
* else the encoding is detected by charset-normalizer, and the reader says so with a warning
  (``decoded as cp1252 (detected; --encoding forces one)``); ``encoding=`` forces one;
* a file that starts with a known binary signature (PDF, PNG, JPEG, GIF, ZIP, gzip, SQLite) or
  whose decoded text has more than :data:`MAX_CONTROL_SHARE` control characters (and more
  than :data:`FEW_CONTROLS`) is not text;
* otherwise control characters (C0 except tab, line feed and carriage return; DEL; C1) and
  unpaired surrogates are removed from the text, counted, and reported with one warning.

Offsets are sacred: the text an article keeps is the text *after* this step, so every offset
refers to it (and ``text[start:end]`` is what a span claims).

>>> clean_text("Hollande\\x00 in Moskau\\x0c.")
('Hollande in Moskau.', 2)
>>> decode_bytes("Grüße".encode("utf-16"), "a.txt").text
'Grüße'
"""

from __future__ import annotations

import codecs
import contextlib
import re
from dataclasses import dataclass

from wiretrace.errors import InputError

__all__ = [
    "BINARY_SIGNATURES",
    "MAX_CONTROL_SHARE",
    "Decoded",
    "binary_signature",
    "clean_text",
    "decode_bytes",
    "sniff_encoding",
]

#: Above this share of control characters (after decoding) a file is binary, not text.
MAX_CONTROL_SHARE = 0.01

#: Up to this many control characters are "a few" whatever the length of the text.
FEW_CONTROLS = 16

#: Leading bytes of common binary files, with the name used in messages.
BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF file"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "gzip-compressed"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_BOM_BYTES = tuple(bom for bom, _ in _BOMS)

# C0 controls except \t \n \r, DEL, C1 controls, and lone surrogates (from JSON "\ud800").
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

#: How much of a streamed file is looked at to choose its encoding (bytes).
SNIFF_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class Decoded:
    """A decoded file: ``text`` (control characters removed), the ``encoding`` used, whether it
    was ``detected`` (not UTF-8, not forced, no BOM) and how many control characters were
    ``removed``."""

    text: str
    encoding: str
    detected: bool
    removed: int


def binary_signature(head: bytes) -> str | None:
    """What binary kind of file ``head`` (its first bytes) starts like, or None."""
    for signature, name in BINARY_SIGNATURES:
        if head.startswith(signature):
            return name
    return None


def clean_text(text: str) -> tuple[str, int]:
    """``text`` without control characters and unpaired surrogates, and how many were removed."""
    cleaned, removed = _CONTROL.subn("", text)
    return cleaned, removed


def _is_utf8(sample: bytes, complete: bool) -> bool:
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        # A sample cut inside a multi-byte character is still UTF-8.
        return not complete and exc.start >= len(sample) - 3 and exc.reason.startswith("unexpected end")


def _mostly_utf8(sample: bytes) -> bool:
    """More valid UTF-8 multi-byte characters than invalid bytes: UTF-8 with a few bad bytes
    (reported where they are), not a legacy encoding (which would garble every good one)."""
    decoded = sample.decode("utf-8", errors="replace")
    bad = decoded.count("\ufffd")
    good = sum(1 for ch in decoded if ord(ch) > 127) - bad
    return good > bad


def sniff_encoding(sample: bytes, source: str, forced: str | None, complete: bool) -> tuple[str, bool]:
    """The encoding to read a file with, from its first bytes: ``(python codec name, detected)``.

    ``complete`` says whether ``sample`` is the whole file. A BOM or ``forced`` decides, else
    UTF-8 when the sample is valid UTF-8, else charset-normalizer's best guess (``detected`` is
    then True). Raises InputError for an unknown forced encoding or when nothing fits.
    """
    if forced:
        try:
            return codecs.lookup(forced).name, False
        except LookupError:
            raise InputError(source, f"unknown encoding {forced!r} (--encoding)") from None
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name, False
    if _is_utf8(sample, complete) or _mostly_utf8(sample):
        return "utf-8", False
    return _detect(sample, source), True


#: Single-byte encodings whose decodings of the same bytes all read as Latin script: for
#: German, English and French news they are Windows-1252 as written by Excel and Notepad.
_WESTERN = "cp1252"


def _latin_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 1.0
    return sum(1 for ch in letters if ord(ch) < 0x250) / len(letters)


def _detect(sample: bytes, source: str) -> str:
    """The encoding of non-UTF-8 bytes without a BOM.

    charset-normalizer's guesses are unreliable on short Latin-script texts (a German sentence
    in Windows-1252 comes out as cp1250, a French one as cp1257, "Straße" as UTF-16), so its
    guess is taken only when it reads the bytes as mostly non-Latin letters (Cyrillic, Greek,
    CJK ...) or when Windows-1252 cannot decode them; otherwise the text is Windows-1252.
    """
    from charset_normalizer import from_bytes

    wide = b"\x00" in sample  # UTF-16/32 without a BOM has NUL bytes; nothing else we read does
    if wide:
        # UTF-16 without a BOM: text in Latin, Cyrillic or Greek script has a NUL in every
        # second byte (the high byte), odd positions for little-endian, even for big-endian.
        half = max(len(sample) // 2, 1)
        for offset, name in ((1, "utf-16-le"), (0, "utf-16-be")):
            if sample[offset::2].count(0) > 0.3 * half and sample[1 - offset :: 2].count(0) < 0.05 * half:
                return name
    exclude = [] if wide else ["utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be"]
    best = from_bytes(sample, cp_exclusion=exclude).best()
    try:
        western = sample.decode(_WESTERN)
    except UnicodeDecodeError:
        western = None
    if best is not None and best.encoding is not None:
        name = codecs.lookup(best.encoding).name
        if western is None or _latin_share(str(best)) < 0.7 or name.startswith("utf"):
            return name
    if western is not None:
        return _WESTERN
    raise InputError(source, "not UTF-8 and no other text encoding fits (binary?); try --encoding")


def check_control_share(text: str, removed: int, source: str) -> None:
    """Raise InputError when ``removed`` control characters make ``text`` binary."""
    if removed > max(FEW_CONTROLS, MAX_CONTROL_SHARE * len(text)):
        raise InputError(
            source,
            f"binary content ({removed} control characters in {len(text)}), not text",
        )


def decode_bytes(data: bytes, source: str, encoding: str | None = None) -> Decoded:
    """Decode a whole file's bytes by the rules of the module docs.

    Raises:
        InputError: a binary file, bytes invalid in a forced or BOM-declared encoding, or
            bytes no encoding fits.
    """
    kind = binary_signature(data[:16])
    if kind is not None and encoding is None:
        raise InputError(source, f"binary content ({kind}), not text")
    text = None
    if encoding is None and not data.startswith(_BOM_BYTES):
        # The common case, decoded once: sniffing would decode it to test it, then again.
        with contextlib.suppress(UnicodeDecodeError):
            text = data.decode("utf-8")
    if text is not None:
        name, detected = "utf-8", False
    else:
        name, detected = sniff_encoding(data, source, encoding, complete=True)
        try:
            text = data.decode(name)
        except UnicodeDecodeError as exc:
            offset = exc.start + (len(codecs.BOM_UTF8) if name == "utf-8-sig" else 0)
            shown = "UTF-8" if name.startswith("utf-8") else name
            raise InputError(
                source, f"not valid {shown} at byte offset {offset} ({exc.reason})"
            ) from None
    if name == "utf-8-sig":
        name = "utf-8"
    cleaned, removed = clean_text(text)
    check_control_share(text, removed, source)
    return Decoded(cleaned, name, detected, removed)

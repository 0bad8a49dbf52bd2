"""Records -> articles: which input field feeds which article field, and the rules every reader shares.

Records come with the field names of whatever tool wrote them (``body``, ``headline``,
``pubDate``, ``source_domain`` ...). :data:`DEFAULT_ALIASES` lists, per article field, the
names tried (case-insensitively, first present wins); :class:`FieldNames` sets a name
explicitly (the CLI's ``--text-column`` etc., for CSV and JSON alike).

:func:`article_from_values` builds the article of one record for every record format (JSON,
JSON lines, CSV, feeds), so the rules are one:

* ``text`` is required: a record without a non-blank text is an error naming the fields it has;
* an optional field that cannot be read (a date in no known form, a title that is a number)
  never costs the article: it is left empty and reported as a :class:`InputWarning`;
* dates go through :func:`wiretrace.io.dates.read_date`;
* the text loses its control characters (:func:`wiretrace.io.decoding.clean_text`) and is cut
  at :attr:`ReadOptions.max_chars`, each with a warning.

>>> opts = ReadOptions()
>>> a = article_from_values({"Body": "Hollande in Moskau.", "headline": "Gipfel",
...     "pubDate": "Tue, 14 May 2024 06:10:00 +0200"}, "feed:1", "feed.jsonl", 1, opts)
>>> a.title, a.published
('Gipfel', '2024-05-14T06:10:00+02:00')
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from wiretrace.io.dates import DateError, DateOrder, read_date
from wiretrace.io.decoding import clean_text
from wiretrace.model import Article

__all__ = [
    "ARTICLE_FIELDS",
    "DEFAULT_ALIASES",
    "DEFAULT_MAX_CHARS",
    "FieldNames",
    "InputWarning",
    "ReadOptions",
    "WarningHandler",
    "article_from_values",
    "json_type",
    "resolve_fields",
]

#: Article fields a record can set, in the order they are resolved.
ARTICLE_FIELDS: tuple[str, ...] = (
    "id", "text", "title", "outlet", "published", "url", "lang", "author",
)  # fmt: skip

#: Input field names tried for each article field (case-insensitive, in this order).
DEFAULT_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "guid", "uuid"),
    "text": (
        "text", "body", "content", "article", "fulltext", "maintext",
        "inhalt", "volltext", "texte", "contenu",
    ),
    "title": ("title", "headline", "titel", "überschrift", "ueberschrift", "titre"),
    "outlet": (
        "outlet", "source", "publisher", "site", "domain", "source_domain",
        "quelle", "medium", "zeitung",
    ),
    "published": (
        "published", "date", "pubdate", "published_at", "publishedat", "datepublished",
        "date_publish", "publish_date", "timestamp", "datum",
    ),
    "url": ("url", "link"),
    "lang": ("lang", "language", "sprache", "langue"),
    "author": ("author", "authors", "byline", "autor", "auteur"),
}  # fmt: skip

#: Longest article text kept (characters); longer ones are cut there with a warning.
DEFAULT_MAX_CHARS = 2_000_000


class InputWarning(UserWarning):
    """Something read but not as given: an optional field left empty, control characters
    removed, a text cut, an encoding detected. The article itself is kept.

    ``kind`` groups warnings for the summary (``date``, ``field``, ``control``, ``cut``,
    ``encoding``, ``teaser``); ``source``, ``line`` and ``reason`` as in InputError.
    """

    def __init__(self, source: str, reason: str, line: int | None = None, kind: str = "field"):
        self.source = source
        self.reason = reason
        self.line = line
        self.kind = kind
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {reason}")


#: Receives each warning; reading goes on.
WarningHandler = Callable[[InputWarning], None]


def _python_warning(warning: InputWarning) -> None:
    warnings.warn(warning, stacklevel=3)


def print_warning(warning: InputWarning) -> None:
    """A handler printing ``wiretrace: FILE[:LINE]: reason`` on stderr (picklable, so that
    worker processes can take it)."""
    import sys

    print(f"wiretrace: {warning}", file=sys.stderr, flush=True)


@dataclass(frozen=True, slots=True)
class FieldNames:
    """The input field (JSON key or CSV column) feeding each article field, by name
    (case-insensitive). ``None``: the first of :data:`DEFAULT_ALIASES` present."""

    id: str | None = None
    text: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: str | None = None
    url: str | None = None
    lang: str | None = None
    author: str | None = None


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How every reader reads: field names, date order, a forced encoding, the longest text,
    where warnings go (default: Python's :mod:`warnings`) and who is told which input field
    fed which article field."""

    fields: FieldNames = dataclasses.field(default_factory=FieldNames)
    date_order: DateOrder = "DMY"
    encoding: str | None = None
    max_chars: int = DEFAULT_MAX_CHARS
    on_warning: WarningHandler = _python_warning
    #: Told ``(source, {article field: input field})`` for each record, if set.
    on_fields: Callable[[str, dict[str, str]], None] | None = None

    def warn(self, source: str, reason: str, line: int | None = None, kind: str = "field") -> None:
        self.on_warning(InputWarning(source, reason, line, kind))

    def cut(self, text: str, source: str, line: int | None = None, label: str = "") -> str:
        """``text``, cut at :attr:`max_chars` with a warning when longer (every reader's rule)."""
        if len(text) <= self.max_chars:
            return text
        self.warn(
            source,
            f"{label}text of {len(text):,} characters cut at {self.max_chars:,} (--max-chars)",
            line,
            "cut",
        )
        return text[: self.max_chars]

    def detected(self, source: str, encoding: str) -> None:
        """Say that ``source`` was decoded from an encoding that was detected, not declared."""
        self.warn(source, f"decoded as {encoding} (detected; --encoding forces one)", kind="encoding")


class MissingField(ValueError):
    """An explicitly named input field is absent; ``args[0]`` is the reason."""


def resolve_fields(names: list[str], wanted: FieldNames) -> dict[str, str]:
    """Map article fields to the input field names present in ``names`` (keys as written).

    Explicit names must be present (else :class:`MissingField`, naming the fields found);
    other fields take the first alias present. Fields without a match are left out.
    """
    by_lower: dict[str, str] = {}
    for name in names:
        by_lower.setdefault(name.strip().lower(), name)
    mapping: dict[str, str] = {}
    for field in ARTICLE_FIELDS:
        explicit = getattr(wanted, field)
        if explicit is not None:
            found = by_lower.get(explicit.strip().lower())
            if found is None:
                have = ", ".join(repr(n) for n in names) or "none"
                raise MissingField(
                    f"field {explicit!r} (given for {field}) not found; fields found: {have}"
                )
            mapping[field] = found
            continue
        for alias in DEFAULT_ALIASES[field]:
            if alias in by_lower:
                mapping[field] = by_lower[alias]
                break
    return mapping


def json_type(value: Any) -> str:
    """The JSON name of a parsed value's type (``null``, ``number`` ...), for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


class BadRecord(ValueError):
    """A record is unusable (no text, no usable id); ``args[0]`` is the reason."""


def _metadata(value: Any, field: str, key: str) -> str:
    """A metadata string from a JSON value; raise ValueError (a warning) when unusable."""
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        value = value["name"]  # {"source": {"id": null, "name": "..."}} as in NewsAPI
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        value = ", ".join(value)  # several authors
    if not isinstance(value, str):
        raise ValueError(f"field {key!r} ({field}) must be a string, got {json_type(value)}")
    cleaned, _ = clean_text(value)
    return " ".join(cleaned.split()) if field != "id" else cleaned


def _record_id(value: Any, key: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        if not value.strip():
            raise BadRecord(f"field {key!r} (id) is empty")
        cleaned, removed = clean_text(value)
        if removed:
            raise BadRecord(f"field {key!r} (id) contains control characters")
        return cleaned
    raise BadRecord(f"field {key!r} (id) must be a string or an integer, got {json_type(value)}")


def article_from_values(
    values: Mapping[str, Any],
    default_id: str,
    source: str,
    line: int | None,
    options: ReadOptions,
    *,
    mapping: dict[str, str] | None = None,
    label: str = "",
    path: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Article:
    """The article of one record (see the module docs for the rules).

    ``values`` maps input field names to values (strings from CSV, any JSON value from JSON;
    ``None`` or an empty string is missing). ``mapping`` (from :func:`resolve_fields`) is
    computed from ``values`` when not given. ``label`` prefixes messages (``item 3: ``);
    ``extra`` sets further Article fields directly (feeds: ``teaser_only``).

    Raises:
        BadRecord: no usable text, or an id of the wrong type; warnings go to ``options``.
    """
    if mapping is None:
        try:
            mapping = resolve_fields(list(values), options.fields)
        except MissingField as exc:
            raise BadRecord(str(exc)) from None
    if options.on_fields is not None:
        options.on_fields(source, mapping)
    text_key = mapping.get("text")
    raw_text = values.get(text_key) if text_key is not None else None
    if raw_text is None or (isinstance(raw_text, str) and not raw_text.strip()):
        have = ", ".join(repr(k) for k in values) or "none"
        if text_key is None:
            tried = ", ".join(DEFAULT_ALIASES["text"])
            raise BadRecord(f"no text field (looked for {tried}); fields found: {have}")
        raise BadRecord(f"field {text_key!r} (text) is empty; fields found: {have}")
    if not isinstance(raw_text, str):
        raise BadRecord(f"field {text_key!r} (text) must be a string, got {json_type(raw_text)}")
    text, removed = clean_text(raw_text)
    if not text.strip():
        raise BadRecord(f"field {text_key!r} (text) has no readable characters")
    if removed:
        options.warn(
            source, f"{label}{removed} control character(s) removed from the text", line, "control"
        )
    text = options.cut(text, source, line, label)

    fields: dict[str, Any] = {}
    id_key = mapping.get("id")
    raw_id = values.get(id_key) if id_key is not None else None
    fields["id"] = default_id if raw_id is None else _record_id(raw_id, id_key or "id")
    for field in ("title", "outlet", "url", "lang", "author"):
        key = mapping.get(field)
        value = values.get(key) if key is not None else None
        if value is None or value == "":
            continue
        try:
            fields[field] = _metadata(value, field, key or field) or None
        except ValueError as exc:
            options.warn(source, f"{label}{exc}; left empty", line, "field")
    key = mapping.get("published")
    value = values.get(key) if key is not None else None
    if value is not None and value != "":
        try:
            fields["published"] = read_date(value, order=options.date_order)
        except DateError as exc:
            options.warn(source, f"{label}{exc}; stored undated", line, "date")
    if fields.get("lang"):
        fields["lang"] = fields["lang"].replace("_", "-").split("-", 1)[0].lower() or None
    return Article(text=text, path=path if path is not None else source, **fields, **(extra or {}))

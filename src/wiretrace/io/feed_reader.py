"""News feeds -> articles: RSS (0.9x, 1.0, 2.0), Atom and JSON Feed, one article per entry.

RSS and Atom are parsed by feedparser (from bytes in memory: nothing is fetched), JSON Feed
(https://jsonfeed.org/version/1.1) with :mod:`json`. Each entry becomes an article:

* ``id``: the entry's guid / Atom ``id`` / JSON Feed ``id``, else its link, else
  ``"{file stem}:{n}"`` (n counts entries from 1);
* ``text``: the entry's full content (RSS ``content:encoded``, Atom ``content``, JSON Feed
  ``content_html``/``content_text``) as plain text (:func:`~wiretrace.io.html_text.html_fragment_text`);
  without content, its summary or description, and the article is marked ``teaser_only``
  (reported with a warning: a teaser shares little text with anything);
* ``title``, ``url`` (the entry's link), ``author`` (the name), ``published`` (the entry's
  published date, else its updated date, read by :func:`~wiretrace.io.dates.read_date` from
  the feed's own string so that the zone is kept: feedparser's parsed times drop
  ``CEST``-style zones), ``outlet`` (the feed's title), ``lang`` (the feed's language).

An entry without any text is an error for that entry; the others are still read. A file
that is not a feed at all, or a feed without entries, is one error for the file.

>>> feed = '''<rss version="2.0"><channel><title>Nordwest-Agentur</title><item>
... <title>Hochwasser</title><guid>nwa-1</guid><pubDate>Tue, 14 May 2024 06:10:00 +0200</pubDate>
... <description>&lt;p&gt;Die Ramse trat über die Ufer.&lt;/p&gt;</description></item></channel></rss>'''.encode()
>>> [(a.id, a.outlet, a.published, a.text, a.teaser_only) for a in feed_articles(feed, "f.rss", "f")]
[('nwa-1', 'Nordwest-Agentur', '2024-05-14T06:10:00+02:00', 'Die Ramse trat über die Ufer.', True)]
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from wiretrace.errors import InputError
from wiretrace.io.dates import DateError, read_date
from wiretrace.io.fields import BadRecord, ReadOptions, article_from_values
from wiretrace.io.html_text import html_fragment_text
from wiretrace.model import Article

__all__ = [
    "FEED_SUFFIXES",
    "feed_articles",
    "is_json_feed",
    "json_feed_articles",
    "looks_like_feed",
]

#: File suffixes (lower case) whose content is checked for a feed (``.xml`` may be anything).
FEED_SUFFIXES: frozenset[str] = frozenset({".rss", ".atom", ".xml"})

# The root element of a feed, after an XML declaration, comments or a doctype.
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF|RDF)[\s>]", re.IGNORECASE)
_HTML_ROOT = re.compile(rb"<(?:html|!doctype\s+html)[\s>]", re.IGNORECASE)


def looks_like_feed(head: bytes) -> bool:
    """Whether a file's first bytes (4 KB are plenty) are an RSS, RDF or Atom feed."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    feed = _FEED_ROOT.search(head)
    if feed is None:
        return False
    html = _HTML_ROOT.search(head)
    return html is None or html.start() > feed.start()


def is_json_feed(data: Any) -> bool:
    """Whether parsed JSON is a JSON Feed (its ``version`` names jsonfeed.org)."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("version"), str)
        and "jsonfeed.org/version" in data["version"]
        and isinstance(data.get("items"), list)
    )


def _entry_date(entry: Mapping[str, Any], options: ReadOptions) -> tuple[str | None, str | None]:
    """``(ISO date, problem)`` of a feedparser entry: published, else updated."""
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if not raw:
            continue
        try:
            return read_date(raw, order=options.date_order), None
        except DateError as exc:
            parsed = entry.get(f"{key}_parsed")
            if isinstance(parsed, time.struct_time):
                # feedparser read a form of its own (it knows many); its time is UTC.
                stamp = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", parsed)
                return stamp, None
            return None, str(exc)
    return None, None


def _values(
    *,
    entry_id: Any,
    text: str,
    title: Any,
    link: Any,
    author: Any,
    outlet: Any,
    lang: Any,
) -> dict[str, Any]:
    return {
        "id": entry_id or link or None,
        "text": text,
        "title": html_fragment_text(title) if isinstance(title, str) else title,
        "url": link,
        "author": author,
        "outlet": outlet,
        "lang": lang,
    }


def _build(
    values: dict[str, Any],
    published: str | None,
    date_problem: str | None,
    teaser: bool,
    n: int,
    source: str,
    stem: str,
    options: ReadOptions,
) -> Article:
    label = f"entry {n}: "
    if not values["text"] or not values["text"].strip():
        raise BadRecord("no text (neither content nor summary)")
    if date_problem is not None:
        options.warn(source, f"{label}{date_problem}; stored undated", kind="date")
    if teaser:
        options.warn(source, f"{label}only a summary, no full text (teaser_only)", kind="teaser")
    mapping = {key: key for key in values}
    article = article_from_values(
        values, f"{stem}:{n}", source, None, options, mapping=mapping, label=label,
        extra={"teaser_only": teaser},
    )
    if published is not None:
        from dataclasses import replace

        article = replace(article, published=published)
    return article


@dataclass(frozen=True, slots=True)
class _Entry:
    """What a feed entry gave, before it becomes an article: its fields, its date (or why it
    could not be read), whether it had only a teaser, and its number in the feed."""

    values: dict[str, Any]
    published: str | None
    problem: str | None
    teaser: bool
    n: int


def _emit(
    entry: _Entry,
    source: str,
    stem: str,
    options: ReadOptions,
    on_error: Any,
    seen: dict[str, int],
) -> Iterator[Article]:
    """The article of one entry, or its error (strict mode: raised); repeated ids refused."""
    try:
        article = _build(
            entry.values, entry.published, entry.problem, entry.teaser, entry.n, source, stem,
            options,
        )
        first = seen.get(article.id)
        if first is not None:
            raise BadRecord(f"duplicate id {article.id!r} (first used by entry {first})")
        seen[article.id] = entry.n
    except BadRecord as exc:
        error = InputError(source, f"entry {entry.n}: {exc}")
        if on_error is None:
            raise error from None
        on_error(error)
        return
    yield article


def feed_articles(
    data: bytes,
    source: str,
    stem: str,
    on_error: Any = None,
    options: ReadOptions | None = None,
) -> Iterator[Article]:
    """The articles of an RSS, RDF or Atom feed held in ``data`` (see the module docs).

    Raises (strict mode) or reports to ``on_error``: InputError for a file that is not a
    feed or has no entries, and for each entry without text.
    """
    import feedparser

    opts = options or ReadOptions()
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" in data:
        # A stray NUL (never part of XML text) makes feedparser's decoding fail outright.
        opts.warn(source, f"{data.count(0)} NUL byte(s) removed", kind="control")
        data = data.replace(b"\x00", b"")
    try:
        parsed = feedparser.parse(data)
    except Exception as exc:  # feedparser fails in many ways on damaged files: one line each
        detail = " ".join(str(exc).split())[:120]
        error = InputError(source, f"not a readable feed ({type(exc).__name__}: {detail})")
        if on_error is None:
            raise error from None
        on_error(error)
        return
    entries = parsed.get("entries") or []
    if not entries:
        detail = ""
        if parsed.get("bozo"):
            detail = f" ({' '.join(str(parsed.get('bozo_exception')).split())[:120]})"
        error = InputError(source, f"no feed entries (not an RSS or Atom feed?){detail}")
        if on_error is None:
            raise error
        on_error(error)
        return
    feed = parsed.get("feed") or {}
    outlet = feed.get("title") or None
    feed_lang = feed.get("language") or None
    seen: dict[str, int] = {}
    for n, entry in enumerate(entries, start=1):
        content = entry.get("content") or []
        body = "\n\n".join(
            html_fragment_text(part.get("value") or "") for part in content if part.get("value")
        ).strip()
        teaser = not body
        if teaser:
            body = html_fragment_text(entry.get("summary") or "")
        author_detail = entry.get("author_detail") or {}
        lang = feed_lang or (entry.get("title_detail") or {}).get("language")
        values = _values(
            entry_id=entry.get("id"),
            text=body,
            title=entry.get("title"),
            link=entry.get("link"),
            author=author_detail.get("name") or entry.get("author"),
            outlet=outlet,
            lang=lang,
        )
        published, problem = _entry_date(entry, opts)
        entry_read = _Entry(values, published, problem, teaser, n)
        yield from _emit(entry_read, source, stem, opts, on_error, seen)


def json_feed_articles(
    data: dict[str, Any],
    source: str,
    stem: str,
    on_error: Any = None,
    options: ReadOptions | None = None,
) -> Iterator[Article]:
    """The articles of a parsed JSON Feed (see the module docs)."""
    opts = options or ReadOptions()
    outlet = data.get("title") if isinstance(data.get("title"), str) else None
    lang = data.get("language") if isinstance(data.get("language"), str) else None
    seen: dict[str, int] = {}
    for n, item in enumerate(data["items"], start=1):
        if not isinstance(item, dict):
            error = InputError(source, f"entry {n}: expected a JSON object")
            if on_error is None:
                raise error
            on_error(error)
            continue
        html = item.get("content_html")
        body = html_fragment_text(html) if isinstance(html, str) else ""
        if not body and isinstance(item.get("content_text"), str):
            body = item["content_text"].strip()
        teaser = not body
        if teaser and isinstance(item.get("summary"), str):
            body = html_fragment_text(item["summary"])
        authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
        names = [a.get("name") for a in authors if isinstance(a, dict) and a.get("name")]
        problem = None
        published = None
        for key in ("date_published", "date_modified"):
            raw = item.get(key)
            if raw:
                try:
                    published = read_date(raw, order=opts.date_order)
                except DateError as exc:
                    problem = str(exc)
                break
        item_id = item.get("id")
        values = _values(
            entry_id=str(item_id) if isinstance(item_id, int | str) and item_id != "" else None,
            text=body,
            title=item.get("title"),
            link=item.get("url") or item.get("external_url"),
            author=", ".join(names) or None,
            outlet=outlet,
            lang=item.get("language") or lang,
        )
        entry_read = _Entry(values, published, problem, teaser, n)
        yield from _emit(entry_read, source, stem, opts, on_error, seen)

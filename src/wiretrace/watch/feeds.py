"""What watch does with fetched bytes: OPML lists of feeds, feeds -> articles, pages -> text.

The feed formats themselves are read by :mod:`wiretrace.io.feed_reader` (RSS, RDF and Atom via
feedparser, JSON Feed via :mod:`json`) and pages by :func:`wiretrace.io.html_reader.read_html_article`
(trafilatura); this module adds what polling a live feed needs:

* **ids that stay the same from poll to poll.** The reader names an entry without a guid and
  without a link ``"{stem}:{n}"`` by its position n, which shifts when the feed gains an entry;
  here such an entry is named ``"{feed URL}#{h}"``, h the first 16 hex digits of the SHA-256 of
  its title and text, so that the same entry always gets the same id.
* **an empty feed is not an error**: a feed that has no entries right now is polled again later.
* **a page's text on its feed entry** (:func:`with_page_text`): the entry keeps its id, title,
  date, outlet, author and link, and takes the page's main text.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin
from xml.etree import ElementTree

from wiretrace.errors import InputError
from wiretrace.io.feed_reader import (
    feed_articles,
    is_json_feed,
    json_feed_articles,
    looks_like_feed,
)
from wiretrace.io.fields import ReadOptions
from wiretrace.model import Article

__all__ = [
    "MAX_OPML_BYTES",
    "feed_entries",
    "looks_like_opml",
    "opml_feed_urls",
    "read_opml_file",
    "with_page_text",
]

#: Largest OPML file read from disk (bytes).
MAX_OPML_BYTES = 20 * 1024 * 1024

_OPML_ROOT = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<opml[\s>]", re.S)
# An entry element of RSS/RDF (<item>) or Atom (<entry>), with or without a namespace prefix.
_ENTRY_ELEMENT = re.compile(rb"<(?:[A-Za-z][\w.-]*:)?(?:item|entry)[\s>/]")


def looks_like_opml(head: bytes) -> bool:
    """Whether bytes (the first KB are plenty) start an OPML document (root ``<opml>``)."""
    return _OPML_ROOT.match(head[:4096]) is not None


def opml_feed_urls(data: bytes, source: str, base_url: str | None = None) -> list[str]:
    """The feed URLs of an OPML document: every ``<outline xmlUrl="...">`` at any depth, in
    document order, each once (relative URLs resolved against ``base_url``).

    Raises:
        InputError: ``source`` and the reason, for a document that is not well-formed XML or
            not OPML. An OPML file without any ``xmlUrl`` gives an empty list.
    """
    try:
        # The standard parser expands no external entities, and the bundled expat (>= 2.4.1)
        # refuses exponential entity expansion ("billion laughs").
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise InputError(source, f"not a readable OPML file ({exc})") from None
    if root.tag.rsplit("}", 1)[-1].lower() != "opml":
        raise InputError(source, f"not an OPML file (root element <{root.tag}>)")
    urls: list[str] = []
    for outline in root.iter():
        if outline.tag.rsplit("}", 1)[-1] != "outline":
            continue
        value = next(
            (v for k, v in outline.attrib.items() if k.lower() == "xmlurl" and v.strip()), None
        )
        if value is None:
            continue
        url = urljoin(base_url, value.strip()) if base_url else value.strip()
        if url not in urls:
            urls.append(url)
    return urls


def read_opml_file(path: str | Path) -> list[str]:
    """The feed URLs of a local OPML file (see :func:`opml_feed_urls`).

    Raises:
        InputError: a missing, unreadable or too large file, or one that is not OPML.
    """
    p = Path(path)
    try:
        with p.open("rb") as handle:
            data = handle.read(MAX_OPML_BYTES + 1)
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_OPML_BYTES:
        raise InputError(str(path), f"larger than {MAX_OPML_BYTES:,} bytes")
    return opml_feed_urls(data, str(path))


def feed_entries(
    data: bytes,
    url: str,
    on_error: Callable[[InputError], None],
    options: ReadOptions | None = None,
) -> list[Article]:
    """The entries of a fetched feed (RSS, RDF, Atom or JSON Feed) as articles, in feed order.

    ``url`` names the feed in messages and stands in for a missing entry id (module docs).
    An entry that cannot be read (no text, a repeated id) goes to ``on_error`` and the others
    are kept; a feed without entries gives an empty list.

    Raises:
        InputError: the bytes are not a feed at all (an HTML page, JSON that is no JSON Feed,
            XML of another kind), or feedparser cannot find any entry in a broken feed.
    """
    stem = f"{url}#entry"
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start in (b"{", b"["):
        try:
            parsed = json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise InputError(url, f"not a feed (malformed JSON: {exc})") from None
        if not is_json_feed(parsed):
            raise InputError(url, "not a feed (JSON, but not a JSON Feed)")
        articles = list(json_feed_articles(parsed, url, stem, on_error, options))
    else:
        if not looks_like_feed(data[:4096]):
            raise InputError(url, "not a feed (no RSS, RDF, Atom or JSON Feed document)")
        if _ENTRY_ELEMENT.search(data) is None:
            return []  # a feed that is empty right now
        problems: list[InputError] = []
        articles = list(feed_articles(data, url, stem, problems.append, options))
        for problem in problems:
            if not articles and problem.reason.startswith("no feed entries"):
                raise problem
            on_error(problem)
    return [_stable_id(article, stem) for article in articles]


def _stable_id(article: Article, stem: str) -> Article:
    """The article, renamed ``FEED#hash`` if the reader named it by position (``stem:N``)."""
    if not re.fullmatch(re.escape(stem) + r":\d+", article.id):
        return article
    digest = hashlib.sha256(f"{article.title or ''}\n{article.text}".encode()).hexdigest()
    return dataclasses.replace(article, id=f"{stem.removesuffix('#entry')}#{digest[:16]}")


def with_page_text(entry: Article, page: Article) -> Article:
    """The feed ``entry`` with the text of its ``page`` (no longer a teaser).

    Keeps the entry's id, title, date, outlet, author and link (what the feed says is
    authoritative about the entry); the language is the entry's, else the page's.
    """
    return dataclasses.replace(
        entry,
        text=page.text,
        lang=entry.lang or page.lang,
        title=entry.title or page.title,
        published=entry.published or page.published,
        teaser_only=False,
    )

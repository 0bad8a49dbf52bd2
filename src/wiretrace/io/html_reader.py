"""HTML page -> :class:`~wiretrace.model.Article`, main text and metadata by trafilatura.

The article text is the main text trafilatura extracts, *exactly* as it returns it (paragraphs
separated by ``\\n``; the page headline often comes first, because news pages put the ``<h1>``
inside the article body). Nothing is stripped or re-joined afterwards, so every offset refers to
that string. Extraction favours precision (``favor_precision=True``, comments left out): a
missed teaser sentence costs less than navigation or comment text reported as reused copy.

Metadata, when the page has it: ``title`` (trafilatura: ``og:title``, ``<title>`` ...),
``published`` with its time and zone when the page gives them (:func:`page_published`: the
``article:published_time`` meta, ``itemprop=datePublished``, JSON-LD ``datePublished``, a
``date``/``pubdate``/``DC.date.issued`` meta, a ``<time datetime>``; each read by
:func:`~wiretrace.io.dates.read_date`), else the day htmldate finds via trafilatura (page
metadata and the URL, no guessing from the body text), ``outlet`` (the site name, else the host name without ``www.``), ``url``
(the one given, else the page's canonical URL), ``lang`` (trafilatura's language if it gives one,
else the primary subtag of ``<html lang="...">``, lower case: ``de-DE`` -> ``de``).

Nothing here touches the network: only trafilatura's extraction functions are called, on bytes
or text already in memory (never ``fetch_url`` and friends).

trafilatura (with lxml, htmldate, courlan, ...) is imported on the first extraction, not when
this module is imported, so ``import wiretrace.io.html_reader`` stays cheap.

Example::

    >>> page = (b"<html lang='en'><head><title>Flood</title></head><body><article>"
    ...         b"<p>The river Brack flooded the old town of Brackenfeld on Thursday.</p>"
    ...         b"</article></body></html>")
    >>> a = read_html_article(page, source="flood.html")  # doctest: +SKIP
    >>> a.text, a.title, a.lang  # doctest: +SKIP
    ('The river Brack flooded the old town of Brackenfeld on Thursday.', 'Flood', 'en')
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

from wiretrace.errors import InputError
from wiretrace.io import readers
from wiretrace.io.dates import DateError, DateOrder, read_date
from wiretrace.io.decoding import clean_text
from wiretrace.io.readers import _check_file, _read_bytes
from wiretrace.model import Article

__all__ = ["HTML_SUFFIXES", "NO_MAIN_TEXT", "extract_html_article", "read_html_article"]

#: File suffixes (lower case) read as HTML pages.
HTML_SUFFIXES: frozenset[str] = frozenset({".html", ".htm"})

#: Fewer words than this in what trafilatura extracts is no article (a lone link, a caption).
MIN_MAIN_WORDS = 3

#: The reason given when trafilatura finds no main text in a page.
NO_MAIN_TEXT = "no main text found in the HTML page"

# htmldate: prefer the original publication date over a later modification; look at the page's
# metadata and URL only ("extensive_search" would also take the first date written in the body,
# which in news is often the date of the event, not of the article - worse than no date).
_DATE_PARAMS: dict[str, Any] = {"original_date": True, "extensive_search": False}


def _trafilatura() -> Any:
    # Deliberately lazy: importing trafilatura and its dependencies takes ~0.1-0.2 s.
    import trafilatura

    return trafilatura


def _iso_day(value: str | None) -> str | None:
    """``YYYY-MM-DD`` if ``value`` starts with a valid calendar date, else None."""
    if not value or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


# Meta tags naming the publication time, most specific first (property= or name= or itemprop=).
_META_DATES = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publication_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
)


def _json_ld_dates(node: Any) -> list[str]:
    """``datePublished`` values of a JSON-LD document (nested graphs and lists included)."""
    found: list[str] = []
    stack = [node]
    while stack and len(found) < 4:
        item = stack.pop(0)
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            value = item.get("datePublished")
            if isinstance(value, str):
                found.append(value)
            stack.extend(v for k, v in item.items() if k in ("@graph", "mainEntity", "itemListElement"))
    return found


def page_published(tree: Any, order: DateOrder = "DMY") -> str | None:
    """The publication time a page states, as ISO 8601 with the time and zone it gives.

    Looks at the sources of the module docs in that order and returns the first one
    :func:`~wiretrace.io.dates.read_date` can read; None if the page states none.
    """
    candidates: list[str] = []
    metas: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        value = meta.get("content") or meta.get("datetime")
        if key and value and key not in metas:
            metas[key] = value
    candidates.extend(metas[key] for key in _META_DATES if key in metas)
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() == "application/ld+json" and script.text:
            try:
                candidates.extend(_json_ld_dates(json.loads(script.text)))
            except (ValueError, RecursionError):
                continue
    for element in tree.iter("time"):
        if element.get("datetime") and (
            element.get("itemprop") == "datePublished" or element.get("pubdate") is not None
        ):
            candidates.append(element.get("datetime"))
    for element in tree.iter("time"):
        if element.get("datetime"):
            candidates.append(element.get("datetime"))
            break
    for value in candidates:
        try:
            return read_date(value, order=order)
        except DateError:
            continue
    return None


def _lang_attribute(tree: Any) -> str | None:
    """Primary subtag of the root element's ``lang`` (or ``xml:lang``), lower case."""
    value = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def _clean(value: Any) -> str | None:
    """A metadata string, or None for missing/blank values (metadata is not offset-bearing)."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def extract_html_article(
    data: bytes | str,
    *,
    article_id: str,
    source: str,
    url: str | None = None,
    path: str | None = None,
    date_order: DateOrder = "DMY",
) -> Article:
    """Extract one article from an HTML page already in memory.

    ``data`` is the page as bytes (the encoding is detected: UTF-8, else the declared or
    guessed charset) or as text. ``source`` names the page in error messages; ``url`` is the
    page's address if known (it helps trafilatura find the site name and a date in the URL) and
    becomes ``Article.url``. ``path`` becomes ``Article.path``.

    Raises:
        InputError: ``source`` and :data:`NO_MAIN_TEXT` when the page has no (non-blank) main
            text, including pages that are not HTML at all; ``cannot extract the HTML page``
            if the extractor itself fails on the page.
    """
    trafilatura = _trafilatura()
    try:
        tree = trafilatura.load_html(data) if data else None
        if tree is None:
            raise InputError(source, NO_MAIN_TEXT)
        document = trafilatura.bare_extraction(
            tree,
            url=url,
            favor_precision=True,
            include_comments=False,
            with_metadata=True,
            date_extraction_params=dict(_DATE_PARAMS),
        )
    except InputError:
        raise
    except Exception as exc:  # any extractor failure: one bad page must not end a corpus run
        detail = " ".join(str(exc).split())[:160]
        reason = (
            f"cannot extract the HTML page ({type(exc).__name__}{': ' if detail else ''}{detail})"
        )
        raise InputError(source, reason) from None
    text = getattr(document, "text", None) if document is not None else None
    if isinstance(text, str):
        text, _ = clean_text(text)
    if not isinstance(text, str) or not text.strip():
        raise InputError(source, NO_MAIN_TEXT)
    if len(text.split()) < MIN_MAIN_WORDS:
        # A page whose only text is a navigation link ("Home") is no article.
        shown = " ".join(text.split())[:40]
        raise InputError(source, f"{NO_MAIN_TEXT} (only {shown!r})")
    return Article(
        id=article_id,
        text=text,  # exactly as extracted: offsets refer to this string
        title=_clean(document.title),
        outlet=_clean(document.sitename) or _clean(document.hostname),
        published=page_published(tree, date_order) or _iso_day(document.date),
        url=url or _clean(document.url),
        lang=_clean(document.language) or _lang_attribute(tree),
        path=path,
    )


def read_html_article(
    path_or_bytes: str | os.PathLike[str] | bytes,
    *,
    source: str | None = None,
    url: str | None = None,
    article_id: str | None = None,
    options: Any = None,
) -> Article:
    """Read one HTML page (a file, or the page's bytes) as an article.

    For a file, ``id`` is the file name stem, ``path`` and ``source`` are ``str(path)``; the file
    may be at most :data:`~wiretrace.io.readers.MAX_ARTICLE_BYTES` bytes. For bytes, ``source``
    (default ``"<html>"``) names the page in messages and ``id`` defaults to ``url``, else
    ``source``; ``path`` is None. ``article_id`` overrides the id in both cases. See the module
    docs for the text and the metadata. ``options`` (a
    :class:`~wiretrace.io.fields.ReadOptions`) gives the date order and the longest text (a
    longer one is cut there, with a warning).

    Raises:
        InputError: a missing, unreadable or too large file, or a page without main text
            (``"no main text found in the HTML page"``).
    """
    from wiretrace.io.fields import ReadOptions

    opts: ReadOptions = options or ReadOptions()
    if isinstance(path_or_bytes, bytes | bytearray):
        name = source or "<html>"
        article = extract_html_article(
            bytes(path_or_bytes),
            article_id=article_id or url or name,
            source=name,
            url=url,
            date_order=opts.date_order,
        )
    else:
        p = Path(path_or_bytes)
        name = source or str(path_or_bytes)
        limit = readers.MAX_ARTICLE_BYTES
        st = _check_file(p, limit, "MAX_ARTICLE_BYTES")
        if st.st_size == 0:
            raise InputError(name, "empty file")
        data = _read_bytes(p, limit, "MAX_ARTICLE_BYTES")
        article = extract_html_article(
            data,
            article_id=article_id or p.stem,
            source=name,
            url=url,
            path=str(path_or_bytes),
            date_order=opts.date_order,
        )
    return cut_to_max_chars(article, name, opts)


def cut_to_max_chars(article: Article, source: str, options: Any) -> Article:
    """``article`` with its text cut at ``options.max_chars`` (with a warning) if longer."""
    text = options.cut(article.text, source)
    if text is article.text:
        return article
    import dataclasses

    return dataclasses.replace(article, text=text)

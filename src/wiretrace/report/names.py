"""Names a person can read for articles, used wherever results are shown to a person.

On real crawls article ids are URLs or hashes (``K3T4Nn3sxvg8LblNP3AFiN/8JuA=``), so no page,
table or summary names an article by its id alone: it shows its **title**, or for an untitled
article its **first words** (about :data:`NAME_CHARS` characters, cut at a word boundary,
whitespace collapsed, ``…`` when cut), with its **outlet** and **date**. The id stays available
to programs and to the curious: in JSON, in links, and as the tooltip (``title="ID"``) of HTML.

Dates are shown as the outlet published them (its wall-clock time; the offset is left to the
JSON): ``2025-01-09 06:42``, or just ``2025-01-09`` for a date without a time.

The CLI, ``report.html`` and the web pages all call these functions, through
:class:`ArticleName` (one article's name, outlet and date) and :func:`article_names` (the names
of many stored articles, from one query per 500 ids).

>>> article_label("Hochwasser an der Ramse", "…", "nwa", "2025-01-09T06:42:00+01:00")
'Hochwasser an der Ramse · nwa · 2025-01-09 06:42'
>>> article_label(None, "Brackenfeld (nwa) –  Nach tagelangem Dauerregen ist die Ramse\\n"
...               "in der Nacht über die Ufer getreten.", None, "2025-01-09")
'Brackenfeld (nwa) – Nach tagelangem Dauerregen ist die Ramse… · 2025-01-09'
>>> first_words("Kurz und gut.")
'Kurz und gut.'
>>> readable_time("2025-01-09T06:42:17Z"), readable_time("9 Jan"), readable_time(None)
('2025-01-09 06:42', '9 Jan', '')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from wiretrace.model import Article
    from wiretrace.store.db import Store

__all__ = [
    "NAME_CHARS",
    "ArticleName",
    "ArticleNames",
    "article_label",
    "article_name",
    "article_names",
    "first_words",
    "name_of",
    "name_of_article",
    "readable_time",
]

#: About how many characters of an untitled article's text name it.
NAME_CHARS = 60
#: Titles longer than this are cut the same way (some feeds put a whole lead in the title).
TITLE_CHARS = 160
_LEAD_CHARS = 400  # characters of an untitled text read from the store to name it
_CHUNK = 500  # ids per query


def first_words(text: str, limit: int = NAME_CHARS) -> str:
    """The start of ``text`` on one line (whitespace runs collapsed), cut at the last word
    boundary within ``limit`` characters with ``…`` appended when anything was cut (a single
    word longer than ``limit`` is cut inside)."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit + 1].rsplit(" ", 1)[0]  # a word ending exactly at the limit stays
    if len(cut) > limit:  # no space: one very long word
        cut = flat[:limit]
    return cut.rstrip(" ,;:–—-") + "…"


def article_name(title: str | None, text: str | None) -> str:
    """The title (on one line), or for an untitled article the first words of ``text``;
    ``""`` when both are empty."""
    if title and title.strip():
        return first_words(title, TITLE_CHARS)
    return first_words(text or "")


def readable_time(published: str | None) -> str:
    """A stored ``published`` value as a person reads it: ``YYYY-MM-DD HH:MM`` (the outlet's own
    clock), ``YYYY-MM-DD`` for a date only, the value as stored when it is not ISO 8601, and
    ``""`` when unknown."""
    if not published or not published.strip():
        return ""
    value = published.strip()
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        pass
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return f"{t:%Y-%m-%d %H:%M}"


@dataclass(frozen=True, slots=True)
class ArticleName:
    """How an article is shown to a person: ``name`` (title or first words; the id only when
    the article has neither), ``outlet`` and ``published`` as stored, and its ``id``."""

    id: str
    name: str
    outlet: str | None = None
    published: str | None = None

    @property
    def when(self) -> str:
        """The date as a person reads it (``""`` when unknown)."""
        return readable_time(self.published)

    @property
    def meta(self) -> str:
        """``outlet · date``, leaving out what is unknown."""
        return " · ".join(x for x in (self.outlet, self.when) if x)

    @property
    def label(self) -> str:
        """``name · outlet · date``: the article named on one line."""
        return " · ".join(x for x in (self.name, self.meta) if x)


def article_label(
    title: str | None, text: str | None, outlet: str | None, published: str | None
) -> str:
    """An article named on one line for a person: its title (or first words), outlet and date
    (see the module docs)."""
    return ArticleName("", article_name(title, text), outlet, published).label


def name_of(
    id_: str,
    title: str | None,
    text: str | None,
    outlet: str | None = None,
    published: str | None = None,
) -> ArticleName:
    """The :class:`ArticleName` of an article given by its fields."""
    return ArticleName(id_, article_name(title, text) or id_, outlet or None, published)


def name_of_article(article: Article) -> ArticleName:
    """The :class:`ArticleName` of an :class:`~wiretrace.model.Article`."""
    return name_of(article.id, article.title, article.text, article.outlet, article.published)


class ArticleNames(dict[str, ArticleName]):
    """``{id: ArticleName}``; an id not looked up is named by itself (never a KeyError in a
    template)."""

    def __missing__(self, key: str) -> ArticleName:
        return ArticleName(key, key)


def article_names(store: Store, ids: Iterable[str | None]) -> ArticleNames:
    """The names of the stored articles ``ids`` (None and unknown ids are skipped; an unknown id
    looked up later is named by itself). Reads the first characters of untitled texts only."""
    wanted = sorted({i for i in ids if i is not None})
    out = ArticleNames()
    for k in range(0, len(wanted), _CHUNK):
        chunk = wanted[k : k + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for id_, title, outlet, published, lead in store.conn.execute(
            "SELECT id, title, outlet, published, CASE WHEN trim(coalesce(title, '')) = ''"
            f" THEN substr(text, 1, {_LEAD_CHARS}) END FROM articles WHERE id IN ({marks})",
            chunk,
        ):
            out[id_] = name_of(id_, title, lead, outlet, published)
    return out

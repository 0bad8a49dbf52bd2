"""The web app of ``wiretrace serve``: server-rendered pages and the HTTP API over one store.

A face, like cli.py: it parses requests, calls the library (``wiretrace.report`` for reading,
``wiretrace.pipeline.analyze`` for adding articles, ``wiretrace.report.side_by_side`` for
comparing) and renders Jinja2 templates (autoescaped) or JSON. No logic of its own. Pages name
articles as ``wiretrace.report.names`` does (title or first words, outlet, date; the id in
links and tooltips): each page handler looks up the names of the articles it shows.

Pages: ``/`` (stories), ``/stories/{id}``, ``/articles`` (list), ``/articles/{id}``,
``/groups/{id}``, ``/compare`` (``?a=ID&b=ID``, or a form to paste two texts). API under
``/api/`` (OpenAPI at ``/api/openapi.json``, docs at ``/api/docs``); every API error is
``{"error": {"code": str, "message": str}}``.

Safety: the app never reads a file other than the store it was given; request bodies over
``max_body`` bytes get 413; in ``read_only`` mode writes get 403. Binding to 127.0.0.1 is the
CLI's default.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, quote

import jinja2
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from wiretrace import __version__
from wiretrace.errors import InputError
from wiretrace.model import Article
from wiretrace.report import browse
from wiretrace.report.article_view import article_view, article_view_to_dict
from wiretrace.report.compare import comparison_to_dict
from wiretrace.report.names import ArticleNames, article_names, name_of_article, readable_time
from wiretrace.report.side_by_side import side_by_side
from wiretrace.settings import Settings
from wiretrace.store.db import Store
from wiretrace.web.limits import BodyLimit

__all__ = ["create_app"]

_TEMPLATES = Path(__file__).parent / "templates"
_PAGE = 50
_MAX_PAGE = 500
_MAX_COMPARE_CHARS = 1_000_000  # per text; larger texts belong to `wiretrace compare`

Limit = Annotated[int, Query(ge=1, le=_MAX_PAGE, description="items per page")]
Offset = Annotated[int, Query(ge=0, description="items to skip")]


class ApiError(Exception):
    """An error answered as ``{"error": {"code", "message"}}`` with ``status``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


# --- request bodies ----------------------------------------------------------------------------


class TextIn(BaseModel):
    """One article for ``POST /api/compare``: only ``text`` is required."""

    text: str = Field(min_length=1, max_length=_MAX_COMPARE_CHARS)
    id: str | None = None
    title: str | None = None


class CompareIn(BaseModel):
    a: TextIn | str
    b: TextIn | str
    embeddings: bool = Field(
        default=False,
        description="Let the multilingual sentence embeddings decide pairs whose same-story"
        " verdict is unclear from shared text and key terms, and pairs in two languages: the"
        " verdict of `wiretrace compare` and of the compare page, at 40-100 ms instead of"
        " about 10 ms for such pairs. Off by default, so that the API stays fast under load;"
        " without them the score is weaker, most of all across languages (see BENCHMARKS.md)."
        " A server whose settings turn embeddings off never uses them. The score used them"
        " when `same_story.features` holds `embedding_body`.",
    )


class ArticleIn(BaseModel):
    """An article to add (the fields of the JSON lines input; ``id`` and ``text`` required)."""

    id: str = Field(min_length=1, max_length=2000)
    text: str = Field(min_length=1)
    title: str | None = None
    outlet: str | None = None
    published: str | int | float | None = None
    url: str | None = None
    lang: str | None = None
    author: str | None = None


class ArticlesIn(BaseModel):
    articles: list[ArticleIn] = Field(min_length=1, max_length=10_000)
    update: bool = False
    """An id stored with another text replaces the stored article (a correction)."""


# --- the app -----------------------------------------------------------------------------------


def _side(value: TextIn | str, default_id: str) -> Article:
    if isinstance(value, str):
        if not value.strip():
            raise ApiError(422, "invalid_request", f"{default_id}: the text is empty")
        if len(value) > _MAX_COMPARE_CHARS:
            raise ApiError(413, "too_large", f"{default_id}: over {_MAX_COMPARE_CHARS} characters")
        return Article(default_id, value)
    return Article(value.id or default_id, value.text, title=value.title)


def create_app(
    db: str | Path,
    read_only: bool = False,
    max_body: int = 10_000_000,
    settings: Settings | None = None,
) -> FastAPI:
    """The app serving the store at ``db``.

    Writable (the default): the store is created if missing and upgraded to the current
    schema. ``read_only``: the store must exist; ``POST /api/articles`` answers 403.
    Raises StoreError when ``db`` is not a usable store.
    """
    db = str(db)
    settings = settings or Settings()
    if not read_only:
        Store.open(db).close()  # create or upgrade once, before serving
    Store.open(db, read_only=True).close()  # fail now, not on the first request
    local = threading.local()
    write_lock = threading.Lock()
    api_settings = settings.with_overrides({"same_story": {"embeddings": False}})

    def store() -> Store:
        s = getattr(local, "store", None)
        if s is None:
            s = local.store = Store.open(db, read_only=True)
        return s

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["q"] = lambda s: quote(str(s), safe="")
    env.filters["share"] = _share
    env.filters["when"] = _when
    env.globals["version"] = __version__
    env.globals["read_only"] = read_only

    def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(name).render(**context)
        return HTMLResponse(html, status_code=status)

    app = FastAPI(
        title="wiretrace",
        version=__version__,
        description="Stories and reused text in a wiretrace store. Errors are "
        '`{"error": {"code": str, "message": str}}`.',
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.add_middleware(BodyLimit, max_body=max_body)

    @app.middleware("http")
    async def _server_timing(request: Request, call_next: Any) -> Any:
        # Server-Timing: how long the app took, for browsers' dev tools and benchmarks.
        t0 = time.perf_counter()
        response = await call_next(request)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - t0) * 1000:.1f}"
        return response

    # --- errors --------------------------------------------------------------------------

    def _error(request: Request, status: int, code: str, message: str) -> Any:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
        return page("error.html", status=status, status_code=status, message=message)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Any:
        return _error(request, exc.status, exc.code, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Any:
        codes = {404: "not_found", 405: "method_not_allowed", 403: "forbidden", 413: "too_large"}
        return _error(
            request, exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail)
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Any:
        problems = []
        for e in exc.errors()[:5]:
            loc = e.get("loc", ())
            if e.get("type") == "json_invalid":
                at = f" at character {loc[-1]}" if loc and isinstance(loc[-1], int) else ""
                reason = (e.get("ctx") or {}).get("error", "not valid JSON")
                problems.append(f"malformed JSON{at}: {reason}")
                continue
            where = ".".join(str(x) for x in loc if x != "body")
            problems.append(f"{where}: {e.get('msg')}" if where else str(e.get("msg")))
        return _error(request, 422, "invalid_request", "; ".join(problems) or "invalid request")

    def not_found(what: str) -> ApiError:
        return ApiError(404, "not_found", f"no {what}")

    # --- API -------------------------------------------------------------------------------

    def _filter(
        outlet: str | None, lang: str | None, since: str | None, until: str | None, q: str | None
    ) -> browse.ArticleFilter:
        return browse.ArticleFilter(outlet or None, lang or None, since or None, until or None, q)

    @app.get("/api/articles", tags=["articles"])
    def api_articles(
        limit: Limit = _PAGE,
        offset: Offset = 0,
        outlet: str | None = None,
        lang: str | None = None,
        since: str | None = None,
        until: str | None = None,
        q: str | None = None,
    ) -> dict[str, Any]:
        """Articles, newest first: ``{items, total, limit, offset}``; filters as on the pages
        (``since``/``until`` are dates YYYY-MM-DD, ``q`` words of the title or lead)."""
        f = _filter(outlet, lang, since, until, q)
        return browse.list_articles(store(), f, limit, offset).to_dict()

    @app.get("/api/articles/{article_id:path}", tags=["articles"])
    def api_article(article_id: str) -> dict[str, Any]:
        """One article: its record, text, reused passages (with their other occurrences) and
        what it added and cut against its main source."""
        view = article_view(store(), article_id)
        if view is None:
            raise not_found(f"article with id {article_id!r}")
        return article_view_to_dict(view)

    @app.post("/api/articles", tags=["articles"], status_code=201)
    def api_add_articles(body: ArticlesIn) -> dict[str, Any]:
        """Add articles to the store; they are compared with everything stored (incremental
        analyze). 403 when the server runs with ``--read-only``."""
        if read_only:
            raise ApiError(403, "read_only", "this server is read-only (--read-only)")
        from wiretrace.io.fields import BadRecord, ReadOptions, article_from_values
        from wiretrace.pipeline import analyze

        problems: list[str] = []
        notes: list[str] = []

        def report(error: InputError) -> None:
            problems.append(str(error))

        # The rules of the file readers (wiretrace.io.fields): dates in any known form, an
        # unreadable optional field left empty with a warning, control characters removed.
        options = ReadOptions(on_warning=lambda w: notes.append(str(w)))
        articles = []
        for i, item in enumerate(body.articles):
            values = {k: v for k, v in item.model_dump().items() if v is not None}
            try:
                article = article_from_values(values, item.id, f"articles[{i}]", None, options)
                articles.append(dataclasses.replace(article, path=None))
            except BadRecord as exc:
                problems.append(f"articles[{i}]: {exc}")
        with write_lock:
            summary = analyze(
                articles,
                db,
                settings=settings,
                jobs=1,
                on_error=report,
                inputs=["POST /api/articles"],
                update=body.update,
            )
        return {
            "added": summary.added,
            "unchanged": summary.unchanged,
            "exact_duplicates": summary.exact_duplicates,
            "skipped": summary.skipped + len(body.articles) - len(articles),
            "articles": summary.articles,
            "refingerprinted": summary.refingerprinted,
            "realigned_for_rules": summary.realigned_for_rules,
            "replaced": summary.replaced,
            "problems": problems,
            "warnings": notes,
        }

    @app.get("/api/stories", tags=["stories"])
    def api_stories(
        limit: Limit = _PAGE,
        offset: Offset = 0,
        outlet: str | None = None,
        lang: str | None = None,
        since: str | None = None,
        until: str | None = None,
        q: str | None = None,
    ) -> dict[str, Any]:
        """Stories, newest first, with at least one article matching the filters."""
        f = _filter(outlet, lang, since, until, q)
        return browse.list_stories(store(), f, limit, offset).to_dict()

    @app.get("/api/stories/{story_id}", tags=["stories"])
    def api_story(story_id: int) -> dict[str, Any]:
        """One story: articles, timeline, earliest source, agency credits, reuse groups."""
        story = browse.story_detail(store(), story_id)
        if story is None:
            raise not_found(f"story {story_id}")
        return story

    @app.get("/api/groups", tags=["reuse groups"])
    def api_groups(
        limit: Limit = _PAGE, offset: Offset = 0, boilerplate: bool | None = None
    ) -> dict[str, Any]:
        """Reuse groups (passages printed in several articles), most articles first."""
        return browse.list_groups(store(), limit, offset, boilerplate).to_dict()

    @app.get("/api/groups/{group}", tags=["reuse groups"])
    def api_group(group: int) -> dict[str, Any]:
        """One reuse group with every member span."""
        record = browse.group_record(store(), group)
        if record is None:
            raise not_found(f"reuse group {group}")
        return record

    @app.post("/api/compare", tags=["compare"])
    def api_compare(body: CompareIn) -> dict[str, Any]:
        """Compare two texts: the ``wiretrace compare --json`` object (same-story verdict and
        score with features, coverage, passages with offsets in code points)."""
        a, b = _side(body.a, "a"), _side(body.b, "b")
        from wiretrace.report.compare import compare

        use = settings.same_story.embeddings and body.embeddings
        return comparison_to_dict(compare(a, b, api_settings if not use else settings))

    # --- pages -----------------------------------------------------------------------------

    def _filters_from(request: Request) -> tuple[browse.ArticleFilter, dict[str, str]]:
        qp = request.query_params
        raw = {k: qp.get(k, "").strip() for k in ("outlet", "lang", "since", "until", "q")}
        return _filter(**{k: v or None for k, v in raw.items()}), raw

    def _offset(request: Request) -> int:
        try:
            return max(0, int(request.query_params.get("offset", "0")))
        except ValueError:
            return 0

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def stories_page(request: Request) -> HTMLResponse:
        f, raw = _filters_from(request)
        s = store()
        result = browse.list_stories(s, f, _PAGE, _offset(request))
        outlets, langs = browse.outlets_and_languages(s)
        any_stories = result.total > 0 or s.conn.execute("SELECT 1 FROM stories LIMIT 1").fetchone()
        return page(
            "stories.html",
            page=result,
            filters=raw,
            outlets=outlets,
            langs=langs,
            any_stories=bool(any_stories),
            articles=s.article_count(),
            query=_query(raw),
        )

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(story_id: int) -> HTMLResponse:
        s = store()
        story = browse.story_detail(s, story_id)
        if story is None:
            raise HTTPException(404, f"No story {story_id} in this store.")
        return page(
            "story.html", story=story, names=article_names(s, _record_ids(story["members"]))
        )

    @app.get("/articles", response_class=HTMLResponse, include_in_schema=False)
    def articles_page(request: Request) -> HTMLResponse:
        f, raw = _filters_from(request)
        s = store()
        result = browse.list_articles(s, f, _PAGE, _offset(request))
        outlets, langs = browse.outlets_and_languages(s)
        return page(
            "articles.html",
            page=result,
            names=article_names(s, _record_ids(result.items)),
            filters=raw,
            outlets=outlets,
            langs=langs,
            query=_query(raw),
        )

    @app.get("/articles/{article_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(article_id: str) -> HTMLResponse:
        view = article_view(store(), article_id)
        if view is None:
            raise HTTPException(404, f"No article with id {article_id!r} in this store.")
        colour: dict[int, int] = {}
        for p in view.passages:
            colour.setdefault(p.group, len(colour))
        return page(
            "article.html",
            v=view,
            r=view.record,
            names=view.names,
            colour=colour,
            boilerplate={p.group for p in view.passages if p.boilerplate},
            starts={p.start for p in view.passages},
        )

    @app.get("/groups", response_class=HTMLResponse, include_in_schema=False)
    def groups_page(request: Request) -> HTMLResponse:
        s = store()
        result = browse.list_groups(s, _PAGE, _offset(request), boilerplate=False)
        names = article_names(s, [g["earliest"] for g in result.items])
        return page("groups.html", page=result, query="", names=names)

    @app.get("/groups/{group}", response_class=HTMLResponse, include_in_schema=False)
    def group_page(group: int) -> HTMLResponse:
        s = store()
        record = browse.group_record(s, group)
        if record is None:
            raise HTTPException(404, f"No reuse group {group} in this store.")
        names = article_names(s, [record["earliest"]] + [m["id"] for m in record["members"]])
        return page("group.html", g=record, names=names)

    @app.get("/compare", response_class=HTMLResponse, include_in_schema=False)
    def compare_page(request: Request) -> HTMLResponse:
        a_id = request.query_params.get("a")
        b_id = request.query_params.get("b")
        if not a_id or not b_id:
            return page("compare.html", view=None, a_text="", b_text="")
        s = store()
        arts = []
        for id_ in (a_id, b_id):
            aid = browse.article_aid(s, id_)
            if aid is None:
                raise HTTPException(404, f"No article with id {id_!r} in this store.")
            arts.append(s.article(aid))
        return _compare_view(arts[0], arts[1], stored=True)

    @app.post("/compare", response_class=HTMLResponse, include_in_schema=False)
    async def compare_form(request: Request) -> HTMLResponse:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        # Browsers send a textarea's line breaks as CRLF whatever was pasted: back to LF, so
        # offsets match the text the user has (and the API and CLI would report).
        a_text = form.get("a_text", [""])[0].replace("\r\n", "\n")
        b_text = form.get("b_text", [""])[0].replace("\r\n", "\n")
        if not a_text.strip() or not b_text.strip():
            return page(
                "compare.html",
                status=422,
                view=None,
                a_text=a_text,
                b_text=b_text,
                message="Paste a text on both sides.",
            )
        return _compare_view(Article("a", a_text), Article("b", b_text), stored=False)

    def _compare_view(a: Article, b: Article, stored: bool) -> HTMLResponse:
        view = side_by_side(a, b, settings)
        return page(
            "compare.html",
            view=view,
            c=view.comparison,
            stored=stored,
            names=ArticleNames({x.id: name_of_article(x) for x in (a, b)}),
            a_text="" if stored else a.text,
            b_text="" if stored else b.text,
        )

    @app.get("/robots.txt", include_in_schema=False)
    def robots() -> Any:
        from fastapi.responses import PlainTextResponse

        return PlainTextResponse("User-agent: *\nDisallow: /\n")

    @app.get("/api", include_in_schema=False)
    def api_root() -> Any:
        return RedirectResponse("/api/docs")

    return app


def _query(raw: dict[str, str]) -> str:
    """The filter part of a list URL (for pagination links)."""
    from urllib.parse import urlencode

    return urlencode({k: v for k, v in raw.items() if v})


def _share(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.0%}" if value in (0.0, 1.0) else f"{value:.1%}"


def _when(value: str | None) -> str:
    """A stored time as a person reads it (``2025-01-09 06:42``), or ``no date``."""
    return readable_time(value) or "no date"


def _record_ids(records: list[dict[str, Any]]) -> list[str]:
    """The ids of article records and of their main sources and originals (to name them)."""
    ids = [r["id"] for r in records]
    ids += [r["sources"][0]["id"] for r in records if r["sources"]]
    ids += [r["duplicate_of"] for r in records if r["duplicate_of"]]
    return ids


# How `wiretrace serve --workers N` hands its options to the worker processes, which build
# their app with `app_from_environment` (uvicorn starts workers from an import string).
ENV_DB = "WIRETRACE_SERVE_DB"
ENV_READ_ONLY = "WIRETRACE_SERVE_READ_ONLY"
ENV_MAX_BODY = "WIRETRACE_SERVE_MAX_BODY"
ENV_SETTINGS = "WIRETRACE_SERVE_SETTINGS"


def serve_environment(
    db: str | Path, read_only: bool, max_body: int, settings_file: Path | None
) -> dict[str, str]:
    """The ``WIRETRACE_SERVE_*`` variables that make :func:`app_from_environment` build the
    app ``create_app(db, read_only, max_body, <settings of settings_file>)``."""
    env = {ENV_DB: str(db), ENV_READ_ONLY: "1" if read_only else "0", ENV_MAX_BODY: str(max_body)}
    if settings_file is not None:
        env[ENV_SETTINGS] = str(Path(settings_file).resolve())
    return env


def app_from_environment() -> FastAPI:
    """The app described by the ``WIRETRACE_SERVE_*`` variables (set by ``wiretrace serve``)."""
    import os

    from wiretrace.settings import load_settings

    settings_path = os.environ.get(ENV_SETTINGS)
    return create_app(
        os.environ[ENV_DB],
        read_only=os.environ.get(ENV_READ_ONLY) == "1",
        max_body=int(os.environ.get(ENV_MAX_BODY, "10000000")),
        settings=load_settings(Path(settings_path) if settings_path else None),
    )

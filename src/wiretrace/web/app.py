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

Safety: the app never reads a file other than the store it was given and its own assets
(``web/static``, and Swagger UI's files from the fastapi-offline package for ``/api/docs``): no
page loads anything from another site, and every response carries a strict
Content-Security-Policy (``web.middleware``). Requests must name an allowed host (loopback
names, the bound address, ``--allow-host``) or get 400. Request bodies over ``max_body`` bytes
get 413, and every body is read before its response starts (``web.limits``); in ``read_only``
mode writes get 403. Integer parameters are bounded (0 to 2**62) so that nothing overflows
SQLite's integers, and an unexpected exception is logged and answered with the error object
(500). Only http(s) addresses from the articles become links (the ``http_url`` test of the
templates). Binding to 127.0.0.1 is the CLI's default.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.resources
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, quote

import jinja2
from fastapi import FastAPI, HTTPException, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route

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
from wiretrace.web.middleware import AllowedHosts, CatchAll, SecurityHeaders, allowed_hosts

__all__ = ["create_app"]

_TEMPLATES = Path(__file__).parent / "templates"
_STATIC = Path(__file__).parent / "static"
_PAGE = 50
_MAX_PAGE = 500
_MAX_COMPARE_CHARS = 1_000_000  # per text (API and compare page); longer: `wiretrace compare`
# The bound of every integer parameter: SQLite's integers end at 2**63 - 1 (a larger one raises
# OverflowError), and offset + limit must stay below that too.
_MAX_INT = 2**62

Limit = Annotated[int, Query(ge=1, le=_MAX_PAGE, description="items per page")]
Offset = Annotated[int, Query(ge=0, le=_MAX_INT, description="items to skip")]
StoryId = Annotated[int, PathParam(ge=0, le=_MAX_INT, description="a story id")]
GroupId = Annotated[int, PathParam(ge=0, le=_MAX_INT, description="a reuse group id")]


class ApiError(Exception):
    """An error answered as ``{"error": {"code", "message"}}`` with ``status``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


# --- the error object, as the OpenAPI schema documents it ----------------------------------


class ErrorDetail(BaseModel):
    code: str = Field(
        description="bad_host, not_found, invalid_request, too_large, read_only,"
        " method_not_allowed, internal_error, ..."
    )
    message: str


class ErrorOut(BaseModel):
    """Every API error: ``{"error": {"code": str, "message": str}}``."""

    error: ErrorDetail


_ERROR_MEANINGS = {
    400: "bad_host: the Host header names no host this server answers to (see --allow-host)",
    403: "read_only: the server runs with --read-only",
    404: "not_found: no such id",
    413: "too_large: the request body (--max-body) or a text is too large",
    422: "invalid_request: malformed JSON, a missing field, a parameter out of range",
    500: "internal_error: an unexpected error (logged on the server)",
}


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route (or of every route) for these error statuses."""
    return {s: {"model": ErrorOut, "description": _ERROR_MEANINGS[s]} for s in statuses}


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
    hosts: Iterable[str] | None = None,
) -> FastAPI:
    """The app serving the store at ``db``.

    Writable (the default): the store is created if missing and upgraded to the current
    schema. ``read_only``: the store must exist; ``POST /api/articles`` answers 403.
    ``hosts``: the names requests may give in their ``Host`` header (any port), by default
    the loopback names; see :func:`wiretrace.web.middleware.allowed_hosts`.
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
    env.tests["http_url"] = is_http_url
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
        docs_url=None,  # our own /api/docs below: Swagger UI from this server, not a CDN
        redoc_url=None,
        responses=_errors(400, 500),
    )

    # --- errors --------------------------------------------------------------------------

    def _error_response(
        path: str, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> Response:
        if path.startswith("/api/"):
            body = {"error": {"code": code, "message": message}}
            return JSONResponse(body, status_code=status, headers=headers)
        response = page("error.html", status=status, status_code=status, message=message)
        response.headers.update(headers or {})
        return response

    def _error(request: Request, status: int, code: str, message: str, **kw: Any) -> Any:
        return _error_response(request.url.path, status, code, message, **kw)

    async def _unexpected(scope: dict[str, Any], status: int, code: str, message: str) -> Any:
        return _error_response(scope.get("path", ""), status, code, message)

    # From the inside out: the Host check, the body limit (which reads every body before its
    # response), the catch-all for exceptions, and the headers every response gets.
    app.add_middleware(AllowedHosts, hosts=hosts if hosts is not None else allowed_hosts(None))
    app.add_middleware(BodyLimit, max_body=max_body)
    app.add_middleware(CatchAll, render=_unexpected)
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Any:
        return _error(request, exc.status, exc.code, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Any:
        codes = {404: "not_found", 405: "method_not_allowed", 403: "forbidden", 413: "too_large"}
        code = codes.get(exc.status_code, "http_error")
        headers = exc.headers
        if exc.status_code == 405:
            # Starlette names the methods of the first route with this path only (GET for
            # /api/articles, which takes POST too): name those of every route with it.
            headers = {**(headers or {}), "Allow": ", ".join(_methods_of(app, request))}
        return _error(request, exc.status_code, code, str(exc.detail), headers=headers)

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

    @app.get("/api/articles", tags=["articles"], responses=_errors(422))
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

    @app.get("/api/articles/{article_id:path}", tags=["articles"], responses=_errors(404, 422))
    def api_article(article_id: str) -> dict[str, Any]:
        """One article: its record, text, reused passages (with their other occurrences) and
        what it added and cut against its main source."""
        view = article_view(store(), article_id)
        if view is None:
            raise not_found(f"article with id {article_id!r}")
        return article_view_to_dict(view)

    @app.post("/api/articles", tags=["articles"], status_code=201, responses=_errors(403, 413, 422))
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

    @app.get("/api/stories", tags=["stories"], responses=_errors(422))
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

    @app.get("/api/stories/{story_id}", tags=["stories"], responses=_errors(404, 422))
    def api_story(story_id: StoryId) -> dict[str, Any]:
        """One story: articles, timeline, earliest source, agency credits, reuse groups."""
        story = browse.story_detail(store(), story_id)
        if story is None:
            raise not_found(f"story {story_id}")
        return story

    @app.get("/api/groups", tags=["reuse groups"], responses=_errors(422))
    def api_groups(
        limit: Limit = _PAGE, offset: Offset = 0, boilerplate: bool | None = None
    ) -> dict[str, Any]:
        """Reuse groups (passages printed in several articles), most articles first."""
        return browse.list_groups(store(), limit, offset, boilerplate).to_dict()

    @app.get("/api/groups/{group}", tags=["reuse groups"], responses=_errors(404, 422))
    def api_group(group: GroupId) -> dict[str, Any]:
        """One reuse group with every member span."""
        record = browse.group_record(store(), group)
        if record is None:
            raise not_found(f"reuse group {group}")
        return record

    @app.post("/api/compare", tags=["compare"], responses=_errors(413, 422))
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
            return min(max(0, int(request.query_params.get("offset", "0"))), _MAX_INT)
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
    def story_page(story_id: StoryId) -> HTMLResponse:
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

    @app.get("/outlets", response_class=HTMLResponse, include_in_schema=False)
    def outlets_page() -> HTMLResponse:
        from markupsafe import Markup

        from wiretrace.report.outlet_svg import flow_svg, shares_svg
        from wiretrace.report.outlets import outlet_records

        rows = outlet_records(store())

        def share(value: float | None) -> str:
            return "-" if value is None else f"{value:.1%}"

        # The pictures escape every text themselves (report.outlet_svg): inserted as markup.
        return page(
            "outlets.html",
            outlets=rows,
            share=share,
            shares_svg=Markup(shares_svg(rows)),
            flow_svg=Markup(flow_svg(rows)),
        )

    @app.get("/groups/{group}", response_class=HTMLResponse, include_in_schema=False)
    def group_page(group: GroupId) -> HTMLResponse:
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
        too_long = [(side, len(t)) for side, t in (("a", a_text), ("b", b_text))]
        too_long = [(side, n) for side, n in too_long if n > _MAX_COMPARE_CHARS]
        if too_long:
            # The texts go back into the form, but not one over the cap (a page of its size).
            sides = " and ".join(f"text {side} has {n:,}" for side, n in too_long)
            return page(
                "compare.html",
                status=413,
                view=None,
                a_text=a_text if len(a_text) <= _MAX_COMPARE_CHARS else "",
                b_text=b_text if len(b_text) <= _MAX_COMPARE_CHARS else "",
                message=f"Too long to compare here: {sides} characters; this page takes at"
                f" most {_MAX_COMPARE_CHARS:,} characters per text. Longer texts:"
                " wiretrace compare A B on the command line.",
            )
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
        from wiretrace.report.provenance import describe, relation_of

        view = side_by_side(a, b, settings)
        names = ArticleNames({x.id: name_of_article(x) for x in (a, b)})
        # Pages name articles by title, not by id (report.names): so does the evidence.
        display = {x.id: names[x.id].label for x in (a, b)} if stored else {}
        relation, credits_a, credits_b = relation_of(a, b, settings.corpus.agencies, display)
        return page(
            "compare.html",
            view=view,
            c=view.comparison,
            relation=describe(relation),
            credits={"a": credits_a, "b": credits_b},
            stored=stored,
            names=names,
            a_text="" if stored else a.text,
            b_text="" if stored else b.text,
        )

    # --- our own files: the pages' stylesheet and script, and Swagger UI for /api/docs ---------

    assets = _assets()

    @app.get("/static/{name}", include_in_schema=False)
    def static_file(name: str, request: Request) -> Response:
        if name not in assets:
            raise HTTPException(404, f"No file {name!r} here.")
        body, media_type, etag = _asset(*assets[name])
        headers = {"ETag": etag, "Cache-Control": "no-cache"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=media_type, headers=headers)

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return page("docs.html", openapi_url=app.openapi_url)

    @app.get("/robots.txt", include_in_schema=False)
    def robots() -> Any:
        from fastapi.responses import PlainTextResponse

        return PlainTextResponse("User-agent: *\nDisallow: /\n")

    @app.get("/api", include_in_schema=False)
    def api_root() -> Any:
        return RedirectResponse("/api/docs")

    return app


def _methods_of(app: FastAPI, request: Request) -> list[str]:
    """The methods the routes of the request's path answer (for ``Allow``)."""
    methods: set[str] = set()
    for route in app.router.routes:
        if isinstance(route, APIRoute | Route) and route.matches(request.scope)[0] != Match.NONE:
            methods |= route.methods or set()
    return sorted(methods)


_HTTP_URL = re.compile(r"https?://", re.IGNORECASE)


def is_http_url(value: object) -> bool:
    """Whether ``value`` may become a link: an address that starts with ``http://`` or
    ``https://`` exactly as stored (nothing stripped first, so that no ``javascript:`` hides
    behind spaces or control characters a browser would skip)."""
    return isinstance(value, str) and _HTTP_URL.match(value) is not None


def _assets() -> dict[str, tuple[Path, str]]:
    """The files under ``/static/``: a fixed list (no path from a request reaches the disk)."""
    swagger = Path(str(importlib.resources.files("fastapi_offline") / "static"))
    js, css = "text/javascript; charset=utf-8", "text/css; charset=utf-8"
    return {
        "wiretrace.css": (_STATIC / "wiretrace.css", css),
        "wiretrace.js": (_STATIC / "wiretrace.js", js),
        "docs.js": (_STATIC / "docs.js", js),
        "swagger-ui.css": (swagger / "swagger-ui.css", css),
        "swagger-ui-bundle.js": (swagger / "swagger-ui-bundle.js", js),
    }


_ASSET_CACHE: dict[Path, tuple[bytes, str, str]] = {}


def _asset(path: Path, media_type: str) -> tuple[bytes, str, str]:
    """The bytes of a static file, its media type and ETag; read once per process."""
    if path not in _ASSET_CACHE:
        body = path.read_bytes()
        _ASSET_CACHE[path] = (body, media_type, f'"{hashlib.sha1(body).hexdigest()[:16]}"')
    return _ASSET_CACHE[path]


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
ENV_HOSTS = "WIRETRACE_SERVE_HOSTS"


def serve_environment(
    db: str | Path,
    read_only: bool,
    max_body: int,
    settings_file: Path | None,
    hosts: Iterable[str] | None = None,
) -> dict[str, str]:
    """The ``WIRETRACE_SERVE_*`` variables that make :func:`app_from_environment` build the
    app ``create_app(db, read_only, max_body, <settings of settings_file>, hosts)``."""
    env = {ENV_DB: str(db), ENV_READ_ONLY: "1" if read_only else "0", ENV_MAX_BODY: str(max_body)}
    if settings_file is not None:
        env[ENV_SETTINGS] = str(Path(settings_file).resolve())
    if hosts is not None:
        env[ENV_HOSTS] = " ".join(hosts)  # host names hold no spaces
    return env


def app_from_environment() -> FastAPI:
    """The app described by the ``WIRETRACE_SERVE_*`` variables (set by ``wiretrace serve``)."""
    import os

    from wiretrace.settings import load_settings

    settings_path = os.environ.get(ENV_SETTINGS)
    hosts = os.environ.get(ENV_HOSTS)
    return create_app(
        os.environ[ENV_DB],
        read_only=os.environ.get(ENV_READ_ONLY) == "1",
        max_body=int(os.environ.get(ENV_MAX_BODY, "10000000")),
        settings=load_settings(Path(settings_path) if settings_path else None),
        hosts=hosts.split() if hosts is not None else None,
    )

"""The HTTP API against its own OpenAPI schema (``/api/openapi.json``), with schemathesis:
for every GET operation, random values for every path and query parameter (huge and negative
integers, non-numeric strings, unicode, empty strings, ...). No answer may be a 500, every
status must be one the schema documents for that operation, and every body must match the
schema (the error object included). In process, against the ASGI app."""

from __future__ import annotations

from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
pytest.importorskip("httpx")

from hypothesis import HealthCheck, settings  # noqa: E402
from webstore import build_store  # noqa: E402

from wiretrace.web.app import create_app  # noqa: E402
from wiretrace.web.middleware import allowed_hosts  # noqa: E402


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    db: Path = build_store(tmp_path_factory.mktemp("schema"))
    # schemathesis' in-process client says Host: testserver.
    app = create_app(db, read_only=True, hosts=allowed_hosts(None, ["testserver"]))
    return schemathesis.openapi.from_asgi("/api/openapi.json", app)


def test_get_operations_answer_as_documented(api_schema) -> None:  # type: ignore[no-untyped-def]
    # Each GET operation's cases from its own hypothesis strategy, without schemathesis' pytest
    # plugin (which breaks with newer pytest versions than it was released against).
    from hypothesis import given

    operations = [r.ok() for r in api_schema.get_all_operations()]
    gets = [op for op in operations if op.method.upper() == "GET"]
    assert len(gets) >= 6
    for operation in gets:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
        )
        def check(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate()

        check()


def test_every_error_response_in_the_schema_is_the_error_object(tmp_path: Path) -> None:
    app = create_app(build_store(tmp_path), read_only=True)
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert {"400", "500"} <= set(responses), (method, path)
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (path, status)

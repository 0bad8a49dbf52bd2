"""``wiretrace serve --workers 2`` as a user starts it: two server processes on one port, each
with the command's options (store, read-only, settings file)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")

from webstore import ROOT, build_store  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="counts processes through /proc")
def test_two_worker_processes_serve_with_the_commands_options(tmp_path: Path) -> None:
    db = build_store(tmp_path)
    toml = tmp_path / "s.toml"
    toml.write_text("[align]\nmin_passage_chars = 100000\n")  # no passage is that long
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "wiretrace", "serve", "--db", str(db), "--port", str(port)]
        + ["--workers", "2", "--read-only", "--settings", str(toml)],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/api/stories", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail("server did not start")
            time.sleep(0.2)
        assert len(_children(server.pid)) >= 2
        agency = (ROOT / "examples" / "pair" / "agency.txt").read_text(encoding="utf-8")
        rewrite = (ROOT / "examples" / "pair" / "rewrite.txt").read_text(encoding="utf-8")
        for _ in range(6):  # several requests: both processes answer with the same settings
            r = httpx.post(base + "/api/compare", json={"a": agency, "b": rewrite}, timeout=60)
            assert r.status_code == 200
            assert r.json()["passages"] == []
        r = httpx.post(
            base + "/api/articles", json={"articles": [{"id": "new", "text": agency}]}, timeout=30
        )
        assert r.status_code == 403  # --read-only reached the workers too
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "with 2 processes" in (server.stderr.read() if server.stderr else "")

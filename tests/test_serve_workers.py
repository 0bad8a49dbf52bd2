"""``wiretrace serve --workers 2`` as a user starts it: two server processes on one port, each
with the command's options (store, read-only, settings file, allowed hosts)."""

from __future__ import annotations

import errno
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
        + ["--workers", "2", "--read-only", "--settings", str(toml)]
        + ["--allow-host", "wire.example", "--allow-host", "news.example"],
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
        for _ in range(4):  # and so did --allow-host (both processes: several requests)
            for host, status in (
                ("wire.example", 200),
                ("news.example:80", 200),
                ("x.example", 400),
            ):
                r = httpx.get(base + "/api/stories", headers={"host": host}, timeout=30)
                assert r.status_code == status, host
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "with 2 processes" in (server.stderr.read() if server.stderr else "")


def test_connections_accepted_by_the_shared_socket_get_tcp_nodelay() -> None:
    """The socket uvicorn would bind reports protocol 0, and asyncio then leaves Nagle's
    algorithm on for accepted connections (each keep-alive request waited ~40 ms for a delayed
    ACK); the socket serve binds itself says IPPROTO_TCP, so asyncio switches it off."""
    import asyncio

    from wiretrace.web.processes import listen

    async def nodelay_of_accepted(listener: socket.socket) -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(connected, sock=listener)
        port = listener.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        result = await asyncio.wait_for(seen, 10)
        writer.close()
        server.close()
        return result

    listener = listen("127.0.0.1", 0)
    assert listener.proto == socket.IPPROTO_TCP
    assert asyncio.run(nodelay_of_accepted(listener)) != 0


def test_listen_refuses_a_busy_port() -> None:
    from wiretrace.web.processes import listen

    first = listen("127.0.0.1", 0)
    with pytest.raises(OSError) as caught:
        listen("127.0.0.1", first.getsockname()[1])
    first.close()
    assert caught.value.errno == errno.EADDRINUSE

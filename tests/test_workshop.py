"""`make workshop`: app processes behind HAProxy, cookie affinity, health checks, restarts, and Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from bench.ws_session import StreamlitSession, run_coroutine, user_key
from deploy.workshop import (
    AFFINITY_COOKIE,
    WorkshopError,
    free_port,
    haproxy_binary,
    haproxy_config,
    healthy,
    running_room,
    start_room,
)

ROOT = Path(__file__).resolve().parent.parent


def _visit(url: str, jar: CookieJar | None = None) -> str:
    """GET the health check (as a browser's first requests do) and return the affinity cookie's value."""
    jar = CookieJar() if jar is None else jar
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar))
    with opener.open(url + "/_stcore/health", timeout=10) as r:
        assert r.status == 200
    return next(c.value for c in jar if c.name == AFFINITY_COOKIE)


def test_config_with_affinity_names_each_process_and_checks_health(tmp_path):
    text = haproxy_config(8501, [41001, 41002], address="127.0.0.1")
    assert f"cookie {AFFINITY_COOKIE} insert indirect nocache" in text
    assert "server app1 127.0.0.1:41001 check cookie app1" in text
    assert "server app2 127.0.0.1:41002 check cookie app2" in text
    assert "option httpchk GET /_stcore/health" in text and "timeout tunnel 12h" in text
    bare = haproxy_config(8501, [41001, 41002], affinity=False)
    assert "insert" not in bare and " cookie app" not in bare and "server app2 127.0.0.1:41002 check\n" in bare
    for name, cfg in (("sticky", text), ("bare", bare)):
        path = tmp_path / f"{name}.cfg"
        path.write_text(cfg)
        check = subprocess.run([haproxy_binary(), "-c", "-q", "-f", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr


def test_no_replicas_is_refused_with_a_sentence():
    with pytest.raises(WorkshopError, match="REPLICAS must be 1 or more, not 0"):
        start_room(0, free_port())


def test_two_processes_behind_the_proxy_keep_each_browser_on_one():
    with running_room(2, address="127.0.0.1") as room:
        assert healthy(room.url)
        # New browsers (no cookie yet) are spread over both processes ...
        assigned = {_visit(room.url) for _ in range(6)}
        assert assigned == {"app1", "app2"}
        # ... and a browser that has its cookie stays where it is.
        jar = CookieJar()
        first = _visit(room.url, jar)
        assert {_visit(room.url, jar) for _ in range(5)} == {first}

        async def session() -> tuple[str, str]:
            # A whole tab through the proxy: page, health, websocket, first run and a change, on one process.
            async with StreamlitSession(room.url + "/", "scenario=2&use_case=1B", timeout=90) as s:
                run = await s.first_run()
                assert run.status == "FINISHED_SUCCESSFULLY" and run.exceptions == []
                if not any(user_key(w) == "scenario" for w in s.widgets):
                    # Under load the server's own follow-up run (first paint, pages/parts/paint.py) can replace
                    # the first run's widgets before this client sees them; ask again, as a browser's reload would.
                    run = await s.rerun()
                    assert run.status == "FINISHED_SUCCESSFULLY" and run.exceptions == []
                label = next(o for o in s.options("scenario") if o.startswith("Scenario 4:"))
                changed = await s.change(scenario=label)
                assert changed.status == "FINISHED_SUCCESSFULLY" and s.value("scenario") == label
                return next(c.value for c in s.cookies if c.name == AFFINITY_COOKIE), s.session_id

        replica, session_id = run_coroutine(session())
        assert replica in {"app1", "app2"} and session_id


def test_a_process_that_exits_is_taken_out_and_restarted():
    with running_room(2, address="127.0.0.1") as room:
        victim = room.replicas[0]
        victim.proc.kill()
        victim.proc.wait(10)
        # HAProxy's check (every 2 s, down after 2 failures) stops sending browsers to it; the room still answers.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and {_visit(room.url) for _ in range(4)} != {"app2"}:
            time.sleep(0.5)
        assert {_visit(room.url) for _ in range(4)} == {"app2"}
        assert room.restart_exited() == [f"app1 (port {victim.port}) exited; restarted"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "app1" not in {_visit(room.url) for _ in range(4)}:
            time.sleep(0.5)
        assert {_visit(room.url) for _ in range(6)} == {"app1", "app2"}


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_ctrl_c_stops_the_proxy_and_every_app_process():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "deploy.workshop", "--port", str(port), "--replicas", "2",
                             "--address", "127.0.0.1"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline()
        assert "The room is open at" in banner and "2 app processes behind HAProxy" in banner
        assert healthy(f"http://127.0.0.1:{port}")
        children = _children(proc.pid)
        assert len(children) == 3  # HAProxy and two app processes
        proc.send_signal(signal.SIGINT)
        assert proc.wait(20) == 0
        assert "Stopping the room." in proc.stdout.read()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(c) for c in children):
            time.sleep(0.1)
        assert [c for c in children if _alive(c)] == []
        assert not healthy(f"http://127.0.0.1:{port}", timeout=1)
    finally:
        if proc.poll() is None:
            proc.kill()

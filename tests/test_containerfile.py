"""The Containerfile cannot be built here (no registry): its steps are the commands this suite runs, and its entry
command is started here on a copy of exactly what it copies, with its environment, and must serve without writing
anywhere but HOME=/tmp."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.ws_session import StreamlitSession
from deploy.workshop import HEALTH, app_command, free_port, healthy

ROOT = Path(__file__).resolve().parent.parent
TEXT = (ROOT / "Containerfile").read_text()


def _instructions() -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n\s*", " ", TEXT)  # continuation lines
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def _env() -> dict[str, str]:
    env: dict[str, str] = {}
    for word, rest in _instructions():
        if word == "ENV":
            env.update(dict(pair.split("=", 1) for pair in shlex.split(rest)))
    return env


def _copied() -> list[str]:
    sources = []
    for word, rest in _instructions():
        if word == "COPY":
            sources += shlex.split(rest)[:-1]
    return sources


def test_base_image_user_port_and_pins():
    steps = _instructions()
    assert steps[0] == ("FROM", "registry.access.redhat.com/ubi9/python-311")
    users = [rest for word, rest in steps if word == "USER"]
    assert users[-1].isdigit() and int(users[-1]) != 0  # the final user is a non-root UID (OpenShift picks its own)
    assert ("EXPOSE", "8080") in steps
    runs = " ".join(rest for word, rest in steps if word == "RUN")
    assert "pip install --no-cache-dir --disable-pip-version-check -r requirements.txt -c constraints.txt" in runs
    assert "graphviz" in runs and "dejavu-sans-fonts" in runs and "google-noto-sans-cjk-ttc-fonts" in runs
    assert "chgrp -R 0 /opt/app-root/src" in runs  # arbitrary UID, group 0
    assert _copied()[:2] == ["requirements.txt", "constraints.txt"]
    env = _env()
    assert env["HOME"] == "/tmp" and all(v.startswith("/tmp/") for k, v in env.items() if k.startswith("XDG_"))


def test_entry_command_is_the_workshops_and_make_runs():
    """One command everywhere: `make workshop`'s app processes and the image start the same server the same way."""
    cmd = json.loads(next(rest for word, rest in _instructions() if word == "CMD"))
    assert cmd == app_command(8080, "0.0.0.0", python="python")
    make_run = re.search(r"^run: .*\n\t(.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert make_run and "-m streamlit run server.py" in make_run.group(1)


def test_everything_the_app_imports_is_copied():
    copied = {Path(s).name for s in _copied()}
    assert {"app.py", "server.py", ".streamlit", "assets", "data", "explorer", "pages"} <= copied


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*")}


def test_entry_command_serves_from_a_read_only_copy_writing_only_under_home(tmp_path):
    app, home = tmp_path / "opt-app-root-src", tmp_path / "tmp"
    app.mkdir()
    home.mkdir()
    for source in _copied():
        path = ROOT / source
        if path.is_dir():
            shutil.copytree(path, app / source, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, app / source)
    subprocess.run([sys.executable, "-m", "compileall", "-q", "app.py", "server.py", "explorer", "pages"], cwd=app,
                   check=True)  # the Containerfile's RUN step
    subprocess.run(["chmod", "-R", "a-w", str(app)], check=True)
    before = _snapshot(app)
    env = {k: v.replace("/tmp", str(home)) for k, v in _env().items()}
    env |= {"PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", "TMPDIR": str(home), "LANG": "C.UTF-8"}
    port = free_port()
    cmd = json.loads(next(rest for word, rest in _instructions() if word == "CMD"))
    cmd = [sys.executable if c == "python" else str(port) if c == "8080" else "127.0.0.1" if c == "0.0.0.0" else c
           for c in cmd]
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=app, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while not healthy(url) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert healthy(url), f"{HEALTH} did not answer:\n{log.read_text(errors='replace')[-2000:]}"

        async def visit() -> list[str]:
            # A real first run: the Explorer decides, draws its diagram with Graphviz and builds its charts.
            async with StreamlitSession(url + "/", "scenario=3&use_case=1A", timeout=90) as session:
                run = await session.first_run()
                assert run.status == "FINISHED_SUCCESSFULLY"
                return run.exceptions

        assert asyncio.run(visit()) == []
    finally:
        proc.terminate()
        proc.wait(10)
    changed = {k for k, v in _snapshot(app).items() if before.get(k) != v}
    assert changed == set(), f"the app wrote beside its code: {sorted(changed)[:10]}"
    assert "Traceback" not in log.read_text(errors="replace")



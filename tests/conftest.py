"""Shared fixtures: the catalog, a writable copy of it, a running app, and a real browser."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from explorer.model.assessment import Assessment
from explorer.model.catalog import Catalog, load_catalog

# In-process AppTest runs draw a session's first paint without the pause a browser needs before the charts
# (pages/parts/paint.py: 1 s a new session); the servers the tests start get the app's own default.
os.environ["EXPLORER_FOLLOW_UP_DELAY_S"] = "0"
ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


def open_sidebar(at):
    """Open the sidebar's folding sections (Constraints, Criterion weights, Workload) before ``at`` next runs: they
    draw their widgets only while open, as a user who has unfolded them sees them."""
    from pages.parts.sidebar import SECTIONS

    for key in SECTIONS.values():
        at.session_state[key] = True
    return at


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def default_assessment() -> Assessment:
    return Assessment()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/, for tests that break a catalog file on purpose."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


# --- a running app and a real browser ----------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(*flags: str) -> Iterator[str]:
    """`streamlit run app.py` on a free localhost port, until the block ends."""
    port = _free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("EXPLORER_FOLLOW_UP_DELAY_S", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "server.py", "--server.port", str(port),
         "--server.address", "localhost", "--server.headless", "true", *flags],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("streamlit did not start within 60 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """One app for the whole session."""
    with running_app() as url:
        yield url


@pytest.fixture
def fresh_app_url() -> Iterator[str]:
    """An app process of its own, so the test's first request is the process's first (deep-link check)."""
    with running_app() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class RequestLog:
    """Every request a page makes, so a test can assert none left the machine."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def record(self, request) -> None:
        self.urls.append(request.url)

    @property
    def external(self) -> list[str]:
        out = []
        for url in self.urls:
            parsed = urlparse(url)
            if parsed.scheme in ("data", "blob", "about"):
                continue
            if parsed.hostname not in LOCAL_HOSTS:
                out.append(url)
        return out


BROWSER_TIMEOUT_MS = 120_000  # CI machines run two test workers, the app and Chromium on 2 cores


def settle(page) -> None:
    """Wait until the app has drawn its page and finished running its script.

    Clicking while a heavy page is still rendering can stall Chromium's main thread past a
    click's timeout on a loaded machine, so journeys settle before they navigate.
    """
    page.wait_for_selector("[data-testid=stMain]", timeout=BROWSER_TIMEOUT_MS)
    page.wait_for_timeout(500)
    page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=BROWSER_TIMEOUT_MS)


def navigate(page, url: str, link: str) -> None:
    """Open ``url``, then the sidebar's page ``link``, settled before and after the click (see :func:`settle`)."""
    page.goto(url)
    page.settle()
    page.get_by_role("link", name=link).click()
    page.settle()


@pytest.fixture
def page(browser):
    """A fresh browser page at 1600×1000 whose requests are all recorded in ``page.requests``.

    ``page.settle()`` waits for the app to finish a run (see :func:`settle`); ``page.navigate(url, link)`` opens a
    page through the sidebar (see :func:`navigate`).
    """
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    pg = context.new_page()
    pg.settle = lambda: settle(pg)  # type: ignore[attr-defined]
    pg.navigate = lambda url, link: navigate(pg, url, link)  # type: ignore[attr-defined]
    log = RequestLog()
    pg.on("request", log.record)
    pg.on("websocket", lambda ws: log.urls.append(ws.url))
    pg.requests = log  # type: ignore[attr-defined]
    yield pg
    context.close()

"""App cold start (server up, first page drawn in Chromium) and one diagram render, cold and cached."""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.common import median_ms, report
from explorer import Assessment, decide, load_catalog
from explorer.model.cache import clear_all
from explorer.render import render_dot, view_source

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cold_start(browser) -> tuple[float, float]:
    """Seconds from `streamlit run` to a healthy server, and to the first diagram shown in the browser."""
    port = _free_port()
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.headless", "true"], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://localhost:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        healthy = time.perf_counter() - start
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(f"http://localhost:{port}/?scenario=3&use_case=1A")
        page.wait_for_selector("[data-testid=stImage] img", timeout=60_000)
        drawn = time.perf_counter() - start
        page.close()
        return healthy, drawn
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    from playwright.sync_api import sync_playwright

    catalog = load_catalog()
    a = Assessment(scenario=4, use_case="1B", customer="Bench Ltd")

    def clear() -> None:
        clear_all()  # every stage, the architecture DOT and Graphviz's output

    cold = median_ms(lambda: render_dot(view_source(decide(catalog, a), "architecture"), "png"), runs=7, setup=clear)
    render_dot(view_source(decide(catalog, a), "architecture"), "png")
    cached = median_ms(lambda: render_dot(view_source(decide(catalog, a), "architecture"), "png"), runs=50)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        starts = [cold_start(browser) for _ in range(3)]
        browser.close()
    report("App start and diagram render", [
        ("cold start: `streamlit run` to healthy server (median of 3)", statistics.median(s[0] for s in starts), "s"),
        ("cold start: to first diagram drawn in Chromium (median of 3)", statistics.median(s[1] for s in starts),
         "s"),
        ("architecture PNG, cold (placement + DOT + Graphviz, median of 7)", cold, "ms"),
        ("architecture PNG, cached (median of 50)", cached, "ms"),
    ])


if __name__ == "__main__":
    main()

"""Static images of plotly figures through kaleido: one reused Chromium, MathJax off, nothing from the network."""

from __future__ import annotations

import json
import os
import shutil
import threading
from typing import Any

import plotly.graph_objects as go

from explorer.model.cache import content_cached
from explorer.model.errors import RenderError

_CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
_lock = threading.Lock()
_server_started = False
_warming = False
_TIMEOUT_S = 90


def chromium_path() -> str:
    """The browser kaleido drives: $BROWSER_PATH, else Chromium on the PATH."""
    explicit = os.environ.get("BROWSER_PATH")
    if explicit and os.path.isfile(explicit):
        return explicit
    for name in _CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise RenderError("Chart images need Chromium, which is not installed; install the 'chromium' system package.")


def kaleido_options() -> dict[str, Any]:
    """How the one shared kaleido session starts: MathJax off, plotly.js from the plotly package (a local file)."""
    return {"mathjax": False, "path": chromium_path()}


def _ensure_server() -> None:
    """Start kaleido's sync server once per process; every later image reuses its browser.

    kaleido's server runs on a thread of its own; when its browser fails to start (a loaded machine), that
    thread ends and every later call would wait for it forever, so a dead server is started again.
    """
    global _server_started
    import kaleido
    from kaleido._sync_server import GlobalKaleidoServer

    server = GlobalKaleidoServer()
    thread = getattr(server, "_thread", None)
    if _server_started and thread is not None and thread.is_alive():
        return
    if server.is_running():
        server._initialized = False  # its thread is gone: let kaleido open a new one
    kaleido.start_sync_server(**kaleido_options(), silence_warnings=True)
    _server_started = True


def warm_up() -> None:
    """Start the shared browser ahead of the first chart (the Report page does this in the background)."""
    with _lock:
        _ensure_server()


def warm_up_in_background() -> None:
    """Start the browser on a daemon thread (once per process), so the first report does not wait for it."""
    global _warming
    if _warming or _server_started:
        return
    _warming = True
    threading.Thread(target=warm_up, name="kaleido-warm-up", daemon=True).start()


def figure_to_image(fig: go.Figure, fmt: str = "png", *, width: int = 900, height: int = 450,
                    scale: float = 2.0) -> bytes:
    """One plotly figure as PNG/SVG/PDF bytes; identical figures are rendered once."""
    if fmt not in ("png", "svg", "pdf"):
        raise RenderError(f'"{fmt}" is not a chart image format. Choose from: png, svg, pdf.')
    spec = json.dumps(fig.to_plotly_json(), sort_keys=True, default=str)
    return _render(spec, fmt, width, height, scale)


@content_cached("chart images", 64)
def _render(spec: str, fmt: str, width: int, height: int, scale: float) -> bytes:
    import kaleido

    figure = json.loads(spec)
    # kaleido's sync server hands results back through one queue: callers must take turns.
    with _lock:
        _ensure_server()
        outcome: list[Any] = []

        def call() -> None:
            try:
                outcome.append(kaleido.calc_fig_sync(
                    figure, opts={"format": fmt, "width": width, "height": height, "scale": scale}))
            except Exception as exc:  # kaleido and the browser raise many kinds; the user needs one sentence
                outcome.append(exc)

        worker = threading.Thread(target=call, name="kaleido-call", daemon=True)
        worker.start()
        worker.join(_TIMEOUT_S)
        if worker.is_alive():
            global _server_started
            _server_started = False  # the next chart starts a fresh server rather than queue behind this one
            raise RenderError(f"The chart's browser did not answer within {_TIMEOUT_S} s; build the report again.")
        result = outcome[0]
        if isinstance(result, Exception):
            raise RenderError(f"The chart could not be drawn as {fmt} ({result.__class__.__name__}).")
    if isinstance(result, BaseException) or not isinstance(result, bytes | bytearray):
        raise RenderError(f"The chart could not be drawn as {fmt}.")
    return bytes(result)

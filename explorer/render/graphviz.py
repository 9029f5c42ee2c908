"""Run Graphviz on DOT source, in a private temporary directory, cached by content."""

from __future__ import annotations

import base64
import html
import mimetypes
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from explorer.model.cache import content_cached
from explorer.model.errors import RenderError

FORMATS = ("png", "svg", "pdf", "dot")  # what Graphviz itself writes
BANNER_RED = "#B00020"  # the ruled-out banner and watermark
_TIMEOUT_S = 60


def html_label(text: str, *, bold: bool = False, size: int | None = None) -> str:
    """A Graphviz HTML-like label showing ``text`` literally, whatever it contains."""
    body = "<br/>".join(html.escape(line, quote=True) for line in text.split("\n")) or " "
    if bold:
        body = f"<b>{body}</b>"
    if size:
        body = f'<font point-size="{size}">{body}</font>'
    return f"<{body}>"


def dot_binary() -> str:
    found = shutil.which("dot")
    if not found:
        raise RenderError("Graphviz's 'dot' program is not installed; install the 'graphviz' system package.")
    return found


@content_cached("Graphviz output", 512)
def render_dot(source: str, fmt: str, dpi: int | None = None) -> bytes:
    """Render DOT ``source`` to ``fmt`` bytes. SVG comes back self-contained (icons embedded).

    ``dpi`` sharpens PNGs (the report prints them); the other formats are vector anyway.
    """
    if fmt == "dot":
        return source.encode("utf-8")
    if fmt not in FORMATS:
        raise RenderError(f'"{fmt}" is not a valid format. Choose from: {", ".join(FORMATS)}.')
    # Graphviz may write scratch files next to its working directory: give every run its own.
    with tempfile.TemporaryDirectory(prefix="explorer-dot-") as tmp:
        try:
            done = subprocess.run(
                [dot_binary(), f"-T{fmt}", *([f"-Gdpi={dpi}"] if dpi and fmt == "png" else [])],
                input=source.encode("utf-8"),
                capture_output=True,
                cwd=tmp,
                timeout=_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise RenderError(f"Graphviz took longer than {_TIMEOUT_S} s to draw the diagram.") from None
    if done.returncode != 0 or not done.stdout:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RenderError(f"Graphviz could not draw the diagram: {detail[-1] if detail else 'no output'}")
    if fmt == "svg":
        return embed_svg_images(done.stdout)
    return done.stdout


_HREF = re.compile(rb'(xlink:href|href)="([^"#][^"]*)"')


@content_cached("embedded icons", 64)
def _data_uri(path: str) -> bytes:
    file = Path(path)
    kind = mimetypes.guess_type(file.name)[0] or "image/png"
    return f"data:{kind};base64,".encode() + base64.b64encode(file.read_bytes())


def embed_svg_images(svg: bytes) -> bytes:
    """Replace references to local image files with data URIs, so the SVG stands alone."""

    def swap(match: re.Match[bytes]) -> bytes:
        target = match.group(2).decode("utf-8")
        if target.startswith(("data:", "http:", "https:")):
            return match.group(0)
        path = Path(html.unescape(target))
        if not path.is_file():
            raise RenderError(f"The diagram refers to an icon file that does not exist: {path.name}")
        return match.group(1) + b'="' + _data_uri(str(path)) + b'"'

    return _HREF.sub(swap, svg)

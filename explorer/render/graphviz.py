"""Run Graphviz on DOT source, in a private temporary directory, cached by content."""

from __future__ import annotations

import base64
import html
import json
import math
import mimetypes
import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from explorer.model.cache import content_cached
from explorer.model.errors import RenderError

FORMATS = ("png", "svg", "pdf", "dot")  # what Graphviz itself writes
BANNER_RED = "#B00020"  # the ruled-out banner and watermark
_TIMEOUT_S = 60
BASE_DPI = 96  # Graphviz's own resolution: scale 1, the size a screen shows
SLIDE_PX = 2400  # the long side a slide needs, in pixels: the default PNG reaches at least this
# A diagram slide's picture area in the deck (inches of a 13.33 × 7.5 in slide): layouts are chosen to fill it.
SLIDE_PICTURE_IN = (12.73, 6.3)
SCALE_RANGE = (0.5, 5.0)  # scale 5 of a large diagram is about 7,000 px, still a sane image


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
    out = _run_dot(source, [f"-T{fmt}", *([f"-Gdpi={dpi}"] if dpi and fmt == "png" else [])])
    if fmt == "svg":
        return embed_svg_images(out)
    if fmt == "png":
        return with_dpi(out, dpi or BASE_DPI)
    return out


@content_cached("Graphviz layout", 256)
def layout_json(source: str) -> str:
    """Graphviz's layout of DOT ``source`` without drawing it (``dot -Tjson``): every node's place and every
    edge's spline, in points."""
    return _run_dot(source, ["-Tjson"]).decode("utf-8")


def layout_size(source: str) -> tuple[float, float]:
    """The width and height in points that DOT ``source`` is drawn at, from Graphviz's layout alone (the
    graph's bounding box, ``bb``: the drawing less its padding)."""
    _, _, width, height = (float(v) for v in json.loads(layout_json(source))["bb"].split(","))
    return width, height


def _run_dot(source: str, args: list[str]) -> bytes:
    # Graphviz may write scratch files next to its working directory: give every run its own.
    with tempfile.TemporaryDirectory(prefix="explorer-dot-") as tmp:
        try:
            done = subprocess.run(
                [dot_binary(), *args],
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
    return done.stdout


def check_scale(scale: float | None) -> None:
    """Raise one clear sentence unless ``scale`` is None (the slide default) or within SCALE_RANGE."""
    lo, hi = SCALE_RANGE
    if scale is not None and not lo <= scale <= hi:
        raise RenderError(f"The scale must be between {lo:g} and {hi:g} times the diagram's own size (got {scale:g}).")


def render_png(source: str, scale: float | None = None) -> bytes:
    """A PNG of DOT ``source`` at ``scale`` × its own size (96 dpi); None is the slide default.

    The default is twice the diagram's own size, raised until the long side has SLIDE_PX pixels,
    so a diagram fills a 16:9 slide sharply whatever its size. The DPI in the file says how big
    the picture was drawn (points), so a slide tool places it at its designed size.
    """
    check_scale(scale)
    if scale is not None:
        return render_dot(source, "png", round(BASE_DPI * scale))
    dpi = 2 * BASE_DPI
    data = render_dot(source, "png", dpi)
    long_side = max(png_size(data))
    if long_side >= SLIDE_PX:
        return data
    return render_dot(source, "png", math.ceil(dpi * SLIDE_PX / long_side))


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, read from its header."""
    if data[:8] != _PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise RenderError("Graphviz did not return a PNG image.")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_IHDR_END = 8 + 4 + 4 + 13 + 4  # signature, then IHDR's length, type, data and CRC


def _chunks(data: bytes, start: int) -> Iterator[tuple[bytes, bytes]]:
    """Each chunk from ``start`` on: its type and its whole bytes (length, type, data, CRC)."""
    pos = start
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        end = pos + 12 + length
        yield data[pos + 4:pos + 8], data[pos:end]
        pos = end


def with_dpi(png: bytes, dpi: float) -> bytes:
    """``png`` with a pHYs chunk saying ``dpi`` (pixels per metre, as PNG stores it), replacing any other."""
    png_size(png)
    per_metre = round(dpi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    rest = b"".join(whole for kind, whole in _chunks(png, _IHDR_END) if kind != b"pHYs")
    return png[:_IHDR_END] + chunk + rest


def png_dpi(png: bytes) -> float | None:
    """The DPI a PNG's pHYs chunk states, or None when it has none (or states no unit)."""
    for kind, whole in _chunks(png, 8):
        if kind == b"pHYs":
            x, _, unit = struct.unpack(">IIB", whole[8:17])
            return x * 0.0254 if unit == 1 else None
    return None


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

"""A diagonal watermark on an exported diagram of a ruled-out option, in PNG, SVG and PDF alike.

The title banner says why the option is ruled out; the watermark makes sure a diagram pasted into a deck
without its title still says so.
"""

from __future__ import annotations

import io
import re

from explorer.model.errors import RenderError
from explorer.render.graphviz import BANNER_RED, png_dpi, with_dpi

TEXT = "RULED OUT"
_ANGLE = 28  # degrees, anticlockwise
_OPACITY = {"png": 0.24, "svg": 0.14, "pdf": 0.14}  # PDF viewers blend a shade darker
_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def watermark(data: bytes, fmt: str) -> bytes:
    """``data`` (a PNG, SVG or PDF diagram) with a large, faint, diagonal ``RULED OUT`` across it."""
    if fmt == "png":
        return _png(data)
    if fmt == "svg":
        return _svg(data)
    if fmt == "pdf":
        return _pdf(data)
    return data


def _rgb() -> tuple[int, int, int]:
    return int(BANNER_RED[1:3], 16), int(BANNER_RED[3:5], 16), int(BANNER_RED[5:7], 16)


def _png(data: bytes) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    base = Image.open(io.BytesIO(data)).convert("RGBA")
    w, h = base.size
    size = max(12, int(min(w * 0.16, h * 0.4)))
    font = ImageFont.truetype(_BOLD, size)
    box = font.getbbox(TEXT)
    stamp = Image.new("RGBA", (box[2] + size, box[3] + size), (0, 0, 0, 0))
    alpha = int(255 * _OPACITY["png"])
    ImageDraw.Draw(stamp).text((size // 2, size // 2), TEXT, font=font, fill=(*_rgb(), alpha))
    stamp = stamp.rotate(_ANGLE, expand=True, resample=Image.Resampling.BICUBIC)
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    layer.paste(stamp, ((w - stamp.width) // 2, (h - stamp.height) // 2), stamp)
    out = io.BytesIO()
    Image.alpha_composite(base, layer).save(out, format="PNG", optimize=False)
    dpi = png_dpi(data)
    return out.getvalue() if dpi is None else with_dpi(out.getvalue(), dpi)


_VIEWBOX = re.compile(rb'viewBox="([-\d.]+) ([-\d.]+) ([\d.]+) ([\d.]+)"')


def _svg(data: bytes) -> bytes:
    box = _VIEWBOX.search(data)
    end = data.rfind(b"</svg>")
    if box is None or end < 0:
        raise RenderError("The diagram's SVG has no viewBox, so the ruled-out watermark cannot be placed.")
    x0, y0, w, h = (float(v) for v in box.groups())
    cx, cy = x0 + w / 2, y0 + h / 2
    size = max(12.0, min(w * 0.16, h * 0.4))
    opacity = _OPACITY["svg"]
    text = (f'<text x="{cx:.1f}" y="{cy:.1f}" transform="rotate({-_ANGLE} {cx:.1f} {cy:.1f})" '
            f'text-anchor="middle" dominant-baseline="middle" font-family="DejaVu Sans, sans-serif" '
            f'font-weight="bold" font-size="{size:.1f}" fill="{BANNER_RED}" fill-opacity="{opacity}" '
            f'pointer-events="none">{TEXT}</text>\n')
    return data[:end] + text.encode() + data[end:]


def _pdf(data: bytes) -> bytes:
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(data))
    for page in writer.pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        stamp = FPDF(unit="pt", format=(w, h))
        stamp.set_auto_page_break(False)
        stamp.add_page()
        stamp.add_font("DejaVu", "B", _BOLD)
        size = max(12.0, min(w * 0.16, h * 0.4))
        stamp.set_font("DejaVu", "B", size)
        tw = stamp.get_string_width(TEXT)
        faint = stamp.local_context(fill_opacity=_OPACITY["pdf"], text_color=_rgb())
        with faint, stamp.rotation(_ANGLE, w / 2, h / 2):
            stamp.text(w / 2 - tw / 2, h / 2 + size * 0.35, TEXT)
        overlay = PdfReader(io.BytesIO(bytes(stamp.output()))).pages[0]
        page.merge_page(overlay)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

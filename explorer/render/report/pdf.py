"""The report's document: fonts, headings, paragraphs, grids and figures on A4, with the user's text cleaned."""

from __future__ import annotations

import io
import struct
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace
from PIL import Image

from explorer.model.errors import RenderError

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FALLBACK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
FONT = "DejaVu"
INK = (33, 37, 41)
MUTED = (100, 110, 120)
ACCENT = (17, 104, 189)
RULE = (200, 205, 212)
HEADING_FILL = (232, 240, 250)
_NB_ALIAS = "¤N"  # as wide as a page count, so right-aligned footers stay aligned


def clean(text: object) -> str:
    """User or catalog text as it may appear in the PDF: printable, and never mistaken for the page-count alias."""
    flat = "".join(ch if ch.isprintable() or ch == "\n" else " " for ch in str(text))
    return flat.replace(_NB_ALIAS, "¤ N")


# --- the document ----------------------------------------------------------------------------


class ReportPDF(FPDF):
    """A4 portrait, DejaVu Sans with a CJK fallback, a running header and a numbered footer."""

    def __init__(self, running_title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.running_title = _shorten(clean(running_title), 120)
        self.set_margins(18, 20, 18)
        self.set_auto_page_break(True, margin=18)
        self.alias_nb_pages(_NB_ALIAS)
        for style, name in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf"), ("I", "DejaVuSans-Oblique.ttf"),
                            ("BI", "DejaVuSans-BoldOblique.ttf")):
            self.add_font(FONT, style, FONT_DIR / name)
        fallbacks = []
        if FALLBACK_FONT.is_file():
            # Regular and bold only: each parse of the CJK font costs ~0.5 s; italic text falls back to regular.
            for style in ("", "B"):
                self.add_font("WenQuanYi", style, FALLBACK_FONT)
            fallbacks.append("WenQuanYi")
        self.set_fallback_fonts(fallbacks, exact_match=False)
        self.set_font(FONT, size=10)
        self.set_text_color(*INK)
        self.set_title(clean(running_title))
        self.set_creator("Deployment Scenario Explorer")
        self.set_lang("en")

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        self.set_xy(self.l_margin, 9)
        self.cell(self.epw, 5, self.running_title, align="L")
        self.set_draw_color(*RULE)
        self.line(self.l_margin, 15, self.w - self.r_margin, 15)
        self.set_xy(self.l_margin, self.t_margin)
        self.set_text_color(*INK)

    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        self.cell(self.epw / 2, 5, "Deployment Scenario Explorer", align="L")
        self.cell(self.epw / 2, 5, f"Page {self.page_no()} of {_NB_ALIAS}", align="R")
        self.set_text_color(*INK)

    # Small helpers the section builders share.

    def heading(self, text: str, level: int = 1) -> None:
        if level == 1:
            self.start_section(clean(text), level=0)
            self.set_font(FONT, "B", 16)
            self.set_text_color(*ACCENT)
            self.multi_cell(0, 8, clean(text), new_x="LMARGIN", new_y="NEXT", align="L")
            self.ln(2)
        else:
            if self.get_y() > self.h - 50:
                self.add_page()
            self.ln(2)
            self.set_font(FONT, "B", 12)
            self.set_text_color(*INK)
            self.multi_cell(0, 6, clean(text), new_x="LMARGIN", new_y="NEXT", align="L")
            self.ln(1)
        self.set_text_color(*INK)
        self.set_font(FONT, size=10)

    def para(self, text: str, size: float = 10, style: str = "", colour: tuple[int, int, int] = INK) -> None:
        self.set_font(FONT, style, size)
        self.set_text_color(*colour)
        self.multi_cell(0, size * 0.5, clean(text), new_x="LMARGIN", new_y="NEXT", align="L")
        self.set_text_color(*INK)
        self.set_font(FONT, size=10)
        self.ln(1.5)

    def bullet(self, text: str, size: float = 10) -> None:
        self.set_font(FONT, size=size)
        x = self.l_margin
        self.set_x(x + 3)
        self.cell(4, size * 0.5, "•")
        self.multi_cell(self.epw - 7, size * 0.5, clean(text), new_x="LMARGIN", new_y="NEXT", align="L")
        self.ln(0.8)

    def grid(self, headings: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[float],
             size: float = 8.5, align: str | tuple[str, ...] = "LEFT", total_row: bool = False) -> None:
        """A table whose cells wrap and whose heading repeats on every page it spans.

        ``align`` is one alignment or one per column; ``total_row`` sets the last row in bold.
        """
        self.set_font(FONT, size=size)
        self.set_draw_color(*RULE)
        heading_style = FontFace(emphasis="BOLD", fill_color=HEADING_FILL, color=INK)
        with self.table(
            col_widths=tuple(widths), width=self.epw, text_align=align, line_height=size * 0.5,
            headings_style=heading_style, borders_layout="HORIZONTAL_LINES", padding=1.2,
            first_row_as_headings=True, repeat_headings=1,
            cell_fill_color=(247, 249, 252), cell_fill_mode="ROWS",
        ) as table:
            table.row([clean(h) for h in headings])
            for i, row in enumerate(rows):
                style = FontFace(emphasis="BOLD") if total_row and i == len(rows) - 1 else None
                table.row([clean(c) for c in row], style=style)
        self.set_font(FONT, size=10)
        self.ln(3)

    @property
    def remaining(self) -> float:
        """Millimetres left on the page below the cursor."""
        return self.h - self.b_margin - self.get_y()

    @property
    def filled(self) -> float:
        """How far down its body the current page is written, from 0 (fresh) to 1 (full)."""
        return (self.get_y() - self.t_margin) / (self.h - self.t_margin - self.b_margin)

    def figure(self, png: bytes, caption: str, *, max_h: float | None = None, min_h: float | None = None) -> None:
        """An image scaled to the width left on the page (never wider, never taller than ``max_h``).

        With ``min_h``, an image that does not fit below the cursor shrinks down to that height rather than
        leaving the rest of the page empty.
        """
        width_px, height_px = png_size(png)
        avail_h = (max_h if max_h is not None else self.remaining - 12)
        w = self.epw
        h = w * height_px / width_px
        if h > avail_h:
            h = avail_h
        if min_h is not None and h + 10 > self.remaining >= min_h + 10:
            h = self.remaining - 10
        w = min(self.epw, h * width_px / height_px)
        h = w * height_px / width_px
        if self.get_y() + h + 10 > self.h - self.b_margin:  # keep the caption with its image
            self.add_page(orientation=self.cur_orientation)
        x = self.l_margin + (self.epw - w) / 2
        self.image(_opaque(png), x=x, y=self.get_y(), w=w, h=h)
        self.set_y(self.get_y() + h + 2)
        self.para(caption, size=8, style="I", colour=MUTED)


def _opaque(png: bytes) -> Image.Image:
    """The image on white, without an alpha channel: fpdf2 embeds it several times faster that way."""
    with Image.open(io.BytesIO(png)) as img:
        if img.mode in ("RGBA", "LA", "P"):
            rgba = img.convert("RGBA")
            flat = Image.new("RGB", rgba.size, "white")
            flat.paste(rgba, mask=rgba.getchannel("A"))
            return flat
        return img.convert("RGB")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height of a PNG, from its IHDR chunk."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise RenderError("A report image is not a PNG.")
    return struct.unpack(">II", png[16:24])

"""How numbers are written, once for every screen: money, quantities, counts, bytes and requests."""

from __future__ import annotations

import math

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def money(value: float | None) -> str:
    """A total as a headline shows it: ``$1.28B``, ``$1.23M``, ``$45k``, ``$812.50``; ``n/a`` for no value."""
    if value is None:
        return "n/a"
    if abs(value) >= 1e9:
        return f"${value / 1e9:,.2f}B"
    if abs(value) >= 1e6:
        return f"${value / 1e6:,.2f}M"
    if abs(value) >= 1e4:
        return f"${value / 1e3:,.0f}k"
    return f"${value:,.2f}"


def usd(value: float | None, cents: bool = False) -> str:
    """US dollars with thousands separators: whole dollars, or cents for small unit prices."""
    if value is None:
        return "n/a"
    return f"${value:,.2f}" if cents else f"${value:,.0f}"


def significant(x: float, digits: int = 3) -> float:
    return float(f"{x:.{digits}g}")


def fmt_quantity(x: float) -> str:
    """A number as messages quote it: thousands separated from 100 up, three significant digits below."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def dollars_per(unit: str, x: float) -> str:
    """``$2.50 per GPU-hour``; whole dollars from $100."""
    return f"${x:,.2f} {unit}" if x < 100 else f"${significant(x):,.0f} {unit}"


def requests_per_day(x: float) -> str:
    if x >= 1e6:
        return f"{significant(x / 1e6):g} M requests/day"
    return f"{significant(x):,.0f} requests/day" if x >= 100 else f"{significant(x):g} requests/day"


def percent(x: float) -> str:
    return f"{x * 100:.1f}%"


def quantity(value: float, unit: str = "") -> str:
    """A catalog figure for print: thousands separators, dollars for USD units (``$37,500 per GPU``)."""
    number = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    if unit == "USD":
        return f"${number}"
    if unit.startswith("USD "):
        return f"${number} {unit.removeprefix('USD ')}"
    return f"{number} {unit}".strip()


def months(n: int) -> str:
    """``1 month``, ``36 months``: a count of months with the right number."""
    return f"{n} month" if n == 1 else f"{n} months"


def every_months(n: int) -> str:
    """A cadence: ``every month``, ``every 3 months`` (never "every 1 months")."""
    return "every month" if n == 1 else f"every {n} months"


def duration(hours: float) -> str:
    """A transfer time: ``< 1 min``, ``12 min``, ``3.4 h``, ``2.1 days``."""
    if hours < 1 / 60:
        return "< 1 min"
    if hours < 1:
        return f"{hours * 60:.0f} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:,.1f} days"


def count(value: float) -> str:
    """A large count in words (``4.0 billion``), or with thousands separators."""
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= size:
            return f"{value / size:,.1f} {word}"
    return f"{value:,.0f}"


def scientific(value: float) -> str:
    """``1.13 × 10²¹``."""
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    return f"{value / 10 ** exponent:.2f} × 10{str(exponent).translate(_SUPERSCRIPT)}"


def format_bytes(n: float) -> str:
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value >= 10 else f"{value:.1f} {unit}"
    return f"{n:.0f} B"


def sentence(text: str) -> str:
    """``text`` ending with a full stop (or its own ? or !)."""
    return text if text.endswith((".", "!", "?")) else text + "."


def slug(text: str) -> str:
    """A file-name-safe stem: lower-case letters and digits joined by hyphens, at most 60 characters."""
    out = "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")
    return "-".join(part for part in out.split("-") if part)[:60] or "assessment"

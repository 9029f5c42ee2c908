"""DOT that travels: icons named relative to the file, and a zip bundle of the DOT with its icons beside it.

Graphviz cannot embed an image in DOT itself (a data URI is not a file it can open), so the self-contained
DOT export is a bundle: ``<view>.dot`` and ``icons/…`` in one zip. Unzip it anywhere and run
``dot -Tpng <view>.dot -o <view>.png`` inside the folder (Graphviz opens images relative to where it runs).
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

import diagrams

from explorer.model.errors import RenderError
from explorer.render.views import ASSETS

ICON_DIR = "icons"
# Where icons come from: the diagrams library's resources, and our own assets/icons/.
_ROOTS = (
    (Path(diagrams.__file__).resolve().parent.parent / "resources", "diagrams"),
    (ASSETS / "icons", "custom"),
)
_IMAGE = re.compile(r'(<img src="|\bimage=")([^"]+)(")')
_ZIP_DATE = (2024, 1, 1, 0, 0, 0)  # a fixed time stamp, so the same diagram zips to the same bytes


def _relative(path: Path) -> str:
    """``icons/<origin>/<path under its root>``: unique per icon, readable, portable."""
    for root, origin in _ROOTS:
        if path.is_relative_to(root):
            return f"{ICON_DIR}/{origin}/{path.relative_to(root).as_posix()}"
    raise RenderError(f"The diagram refers to an icon outside the icon folders: {path.name}")


def portable_dot(source: str) -> tuple[str, dict[str, Path]]:
    """``source`` with every icon named ``icons/…`` relative to the DOT file, and those icons' files by name."""
    files: dict[str, Path] = {}

    def swap(match: re.Match[str]) -> str:
        path = Path(html.unescape(match.group(2)))
        if not path.is_absolute():
            return match.group(0)
        if not path.is_file():
            raise RenderError(f"The diagram refers to an icon file that does not exist: {path.name}")
        name = _relative(path.resolve())
        files[name] = path
        return f"{match.group(1)}{html.escape(name, quote=True)}{match.group(3)}"

    text = _IMAGE.sub(swap, source)
    if files:  # said just inside the graph, so the file still starts with "digraph"
        first, _, rest = text.partition("\n")
        note = (f"\t// Icons are named relative to this file ({ICON_DIR}/...): the DOT bundle (.zip) holds them.\n"
                "\t// Unzip it and run, inside the folder: dot -Tpng <this file> -o diagram.png\n")
        text = f"{first}\n{note}{rest}"
    return text, files


def dot_bundle(source: str, name: str) -> bytes:
    """A zip of ``<name>.dot`` (icons named relative to it) and every icon it draws, under ``icons/``."""
    text, files = portable_dot(source)
    readme = (
        f"{name}.dot is a Graphviz diagram; its icons are in {ICON_DIR}/ beside it.\n"
        f"To draw it, run inside this folder:  dot -Tpng {name}.dot -o {name}.png  (or -Tsvg, -Tpdf).\n"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for arcname, data in ((f"{name}.dot", text.encode("utf-8")), ("README.txt", readme.encode("utf-8")),
                              *((n, f.read_bytes()) for n, f in sorted(files.items()))):
            info = zipfile.ZipInfo(arcname, date_time=_ZIP_DATE)
            info.external_attr = 0o644 << 16  # -rw-r--r-- when unzipped
            z.writestr(info, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()

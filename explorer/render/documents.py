"""The documents besides the diagrams: the deck (PPTX) and the estimate (JSON, CSV, XLSX), by view and format."""

from __future__ import annotations

from explorer.engine.decision import Decision
from explorer.model.assessment import Assessment
from explorer.model.errors import ExportError
from explorer.model.formatting import slug
from explorer.render.deck import build_deck
from explorer.render.estimate import cost_json, estimate_csv, json_text
from explorer.render.estimate_xlsx import estimate_xlsx

DOCUMENT_FORMATS: dict[str, tuple[str, ...]] = {"deck": ("pptx",), "estimate": ("json", "csv", "xlsx")}
DOCUMENT_MEDIA_TYPES = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "json": "application/json",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def check_document(view: str, fmt: str) -> None:
    """One sentence unless ``view`` is a document with the format ``fmt``."""
    formats = DOCUMENT_FORMATS[view]
    if fmt not in formats:
        allowed = formats[0] if len(formats) == 1 else f"{', '.join(formats[:-1])} or {formats[-1]}"
        raise ExportError(f"The {view} is exported only as {allowed}, not {fmt}.")


def document_bytes(decision: Decision, view: str, fmt: str) -> bytes:
    """The deck or the estimate, in the format asked for."""
    check_document(view, fmt)
    if view == "deck":
        return build_deck(decision)
    if fmt == "json":
        return json_text(cost_json(decision)).encode("utf-8")
    if fmt == "csv":
        return estimate_csv(decision)
    return estimate_xlsx(decision)


def document_filename(assessment: Assessment, view: str, fmt: str) -> str:
    """``acme-bank-estimate-s3-1a.csv`` or ``acme-bank-deck-s3-1a.pptx``: the customer, what it is, the option."""
    check_document(view, fmt)
    stem = slug(assessment.customer or "assessment")
    return f"{stem}-{view}-s{assessment.scenario}-{assessment.use_case.lower()}.{fmt}"

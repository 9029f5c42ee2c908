"""Reading an assessment: from a mapping, YAML or JSON text, a file or a preset, checked against the catalog."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from explorer.model.assessment import Assessment
from explorer.model.catalog import Catalog, load_catalog
from explorer.model.errors import AssessmentError, explain


def parse_assessment(raw: Any, source: str = "assessment", catalog: Catalog | None = None) -> Assessment:
    """Validate a mapping into an Assessment; errors name the source and the field."""
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise AssessmentError(source, "", f"must be a mapping of fields, not {type(raw).__name__}")
    try:
        assessment = Assessment.model_validate(dict(raw))
    except ValidationError as exc:
        p = explain(exc, Assessment)
        raise AssessmentError(source, p.field, p.problem, p.value, p.more) from None
    check_catalog_ids(assessment, source, catalog)
    return assessment


def check_catalog_ids(assessment: Assessment, source: str, catalog: Catalog | None = None) -> None:
    """Ids that refer to catalog entries (model, GPU) must exist there."""
    cat = catalog or load_catalog()
    for field, value, known in (
        ("workload.model", assessment.workload.model, [m.id for m in cat.models]),
        ("constraints.owned_gpus.gpu", assessment.constraints.owned_gpus.gpu, [g.id for g in cat.gpus]),
        ("costing.gpu", assessment.costing.gpu, [g.id for g in cat.gpus]),
    ):
        if value not in known:
            raise AssessmentError(source, field, f"is not in the catalog; choose from: {', '.join(known)}", value)
    for key, value in assessment.prices.items():
        item = cat.price_items.get(key)
        if item is None:
            raise AssessmentError(source, f"prices.{key}",
                                  f"is not a known price; allowed keys: {', '.join(cat.price_items)}")
        if not item.min <= value <= item.max:
            raise AssessmentError(source, f"prices.{key}",
                                  f"must be from {item.min:g} to {item.max:g} {item.unit}", value)


def load_assessment(spec: str | Path, catalog: Catalog | None = None) -> Assessment:
    """Load from a YAML/JSON file path or from ``preset:<id>``."""
    text = str(spec)
    if text.startswith("preset:"):
        cat = catalog or load_catalog()
        preset = cat.preset(text.removeprefix("preset:"))
        return parse_assessment(preset.assessment, f"preset '{preset.id}'", cat)
    path = Path(text)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:  # refused before reading: an assessment is a few kB
            raise AssessmentError(text, "", _too_big(size))
        content = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AssessmentError(text, "", "the file does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AssessmentError(text, "", f"cannot be read ({exc.__class__.__name__})") from None
    return parse_assessment_text(content, text, catalog)


def parse_assessment_text(content: str, source: str, catalog: Catalog | None = None) -> Assessment:
    """Parse YAML or JSON text (JSON is YAML) into an Assessment; too large or too deep is refused first."""
    size = len(content.encode("utf-8", "replace"))
    if size > MAX_BYTES:
        raise AssessmentError(source, "", _too_big(size))
    depth = nesting_depth(content)
    if depth > MAX_DEPTH:
        raise AssessmentError(source, "", f"nests {depth} levels deep; an assessment nests at most {MAX_DEPTH} levels")
    try:
        raw = yaml.safe_load(content) if content.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise AssessmentError(source, "", f"is not valid YAML or JSON{where}") from None
    except RecursionError:  # nesting by indentation, which the bracket count above does not see
        raise AssessmentError(source, "", f"nests more than {MAX_DEPTH} levels deep") from None
    except ValueError:  # Python refuses integers of over 4,300 digits
        raise AssessmentError(source, "", "holds a number too long to read (over 4,300 digits)") from None
    return parse_assessment(raw, source, catalog)


MAX_BYTES = 1_000_000  # an assessment file is a few kB; anything near this is not one
MAX_DEPTH = 32  # the schema nests 3 levels (constraints.owned_gpus.count)


def _too_big(size: int) -> str:
    return f"is {size / 1e6:,.1f} MB; an assessment file may be at most {MAX_BYTES / 1e6:g} MB"


def nesting_depth(text: str) -> int:
    """The deepest nesting of [ ] and { } in ``text``, outside quoted strings (the flow style JSON uses)."""
    depth = deepest = 0
    quote = ""
    escaped = False
    for ch in text:
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\" and quote == '"':
                escaped = True
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(depth - 1, 0)
    return deepest

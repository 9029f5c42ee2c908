"""The URL: an assessment as flat dotted query keys for every field that differs from the default."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from explorer.model.assessment import DEFAULT, Assessment
from explorer.model.catalog import Catalog
from explorer.model.errors import NO_VALUE, AssessmentError, ExplorerError
from explorer.model.formatting import sentence
from explorer.model.loading import parse_assessment

QUERY_SOURCE = "URL query"
PRESENT = "present"  # view state, not an assessment field: presenter mode (present=1)
_RESERVED = {"w", "page", PRESENT}  # reserved for the UI (weights, page, view) — not part of the assessment


def _flatten(prefix: str, value: Any, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), item, out)
    elif isinstance(value, list | tuple):
        out[prefix] = ",".join(str(v) for v in value)
    elif isinstance(value, bool):
        out[prefix] = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        out[prefix] = str(int(value))
    else:
        out[prefix] = str(value)


def to_query(assessment: Assessment) -> dict[str, str]:
    """The assessment as URL query parameters: scenario and use case always, the rest when not default."""
    current: dict[str, str] = {}
    default: dict[str, str] = {}
    _flatten("", assessment.to_dict(), current)
    _flatten("", DEFAULT.to_dict(), default)
    query = {"scenario": current["scenario"], "use_case": current["use_case"]}
    for key, value in current.items():
        if key in ("scenario", "use_case", "schema_version"):
            continue
        if default.get(key) != value:
            query[key] = value
    return query


_LIST_FIELDS = {"constraints.compliance", "constraints.skills", "constraints.cloud_allowed_classes"}
_BOOL_FIELDS = {"constraints.air_gapped", "constraints.anonymised_data", "constraints.cloud_only"}
_BOOL_WORDS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}


def _known_query_keys() -> frozenset[str]:
    keys: dict[str, str] = {}
    _flatten("", DEFAULT.to_dict(), keys)
    return frozenset(k for k in keys if not k.startswith("prices"))


def allowed_keys() -> str:
    """The keys a link may carry, for a message about one it may not."""
    return ", ".join([*sorted(_known_query_keys() - {"schema_version"}, key=lambda k: (k.count("."), k)),
                      "prices.<price key>", f"{WEIGHT_PREFIX}<criterion>", PRESENT])


def field_key(field: str) -> str:
    """The link key of a dotted field: ``constraints.compliance[1]`` is the key ``constraints.compliance``."""
    return re.sub(r"(\[\d+\])+$", "", field)


_WORDS = {"ttft": "TTFT", "tpot": "TPOT", "rtt": "round trip", "gbps": "(Gbit/s)", "ms": "(ms)", "pct": "(%)",
          "gpu": "GPU", "gpus": "GPUs", "onprem": "on-premises"}


def link_sentence(exc: AssessmentError) -> str:
    """A link's bad field as one plain sentence: "Scenario must be 1, 2, 3 or 4 (the link says 9)."."""
    key = field_key(exc.field)
    if not key:
        return sentence(str(exc))
    if exc.problem.startswith("is not a known key"):
        return sentence(f"The link's key '{key}' {exc.problem}")
    words = " ".join(_WORDS.get(w, w) for w in key.rsplit(".", 1)[-1].split("_"))
    name = words[0].upper() + words[1:] + (f" ({key})" if "." in key else "")
    said = "" if exc.value is NO_VALUE else f" (the link says {exc.value})"
    return f"{name} {exc.problem}{said}."


def from_query(params: Mapping[str, str | list[str]], catalog: Catalog | None = None) -> Assessment:
    """Parse URL query parameters (as produced by :func:`to_query`) into an Assessment."""
    nested: dict[str, Any] = {}
    known = _known_query_keys()
    for key, raw_value in params.items():
        if key in _RESERVED or key.startswith("w.") or key == "schema_version":
            continue
        value = raw_value[-1] if isinstance(raw_value, list) else raw_value
        if key.startswith("prices."):
            # Price keys are catalog keys and may themselves contain dots.
            nested.setdefault("prices", {})[key.removeprefix("prices.")] = value
            continue
        if key not in known:
            raise AssessmentError(QUERY_SOURCE, key, f"is not a known key; allowed keys: {allowed_keys()}")
        node = nested
        *parents, last = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = _query_value(key, value)
    return parse_assessment(nested, QUERY_SOURCE, catalog)


def _query_value(key: str, value: str) -> Any:
    if key in _LIST_FIELDS:
        return [v for v in value.split(",") if v]
    if key in _BOOL_FIELDS:
        word = value.strip().lower()
        if word not in _BOOL_WORDS:
            raise AssessmentError(QUERY_SOURCE, key, "must be true or false", value)
        return _BOOL_WORDS[word]
    return value



# ---------------------------------------------------------------------------
# A whole link: the assessment and the criterion weights, each bad field named and dropped.
# ---------------------------------------------------------------------------

WEIGHT_PREFIX = "w."  # query keys of the criterion weights: w.<criterion>
MAX_LINK = 16_000  # characters of query keys and values: a whole assessment takes well under 2,000


def assessment_from_link(params: Mapping[str, str | list[str]], catalog: Catalog) -> tuple[Assessment, str]:
    """The assessment a link describes, and one notice; a bad field is dropped (and named), the rest kept."""
    length = sum(len(k) + len(str(v)) for k, v in params.items())
    if length > MAX_LINK:
        return _salvage_choice({}, catalog), (
            f"The shared link carries {length:,} characters; a link may carry at most {MAX_LINK:,}. "
            "Showing the default view.")
    remaining = dict(params)
    dropped: list[str] = []
    first_error = ""
    for _ in range(len(params) + 1):
        try:
            assessment = from_query(remaining, catalog)
            break
        except AssessmentError as exc:
            first_error = first_error or link_sentence(exc)
            field = field_key(exc.field)
            bad = [k for k in remaining if k == field or k.startswith(field + ".")]
            if not bad:
                return _salvage_choice(params, catalog), (
                    f"The shared link could not be used as it is. {sentence(first_error)} Showing the default view.")
            dropped += bad
            for k in bad:
                del remaining[k]
        except ExplorerError as exc:
            return _salvage_choice(params, catalog), (
                f"The shared link could not be used as it is. {sentence(str(exc))} Showing the default view.")
    else:  # pragma: no cover - every round drops a key, so the loop ends before this
        return _salvage_choice(params, catalog), "The shared link could not be used. Showing the default view."
    if not dropped:
        return assessment, ""
    names = ", ".join(f"'{k}'" for k in dropped)
    return assessment, (
        f"The shared link could not be used as it is. {sentence(first_error)} Ignored {names}; the rest is kept.")


def _salvage_choice(params: Mapping[str, str | list[str]], catalog: Catalog) -> Assessment:
    """Keep a valid scenario and use case from a link whose other fields are bad."""
    keep = {}
    for key in ("scenario", "use_case"):
        if key in params:
            try:
                parse_assessment({key: params[key]}, catalog=catalog)
                keep[key] = params[key]
            except ExplorerError:
                pass
    return parse_assessment(keep, catalog=catalog)


def default_weights(catalog: Catalog) -> dict[str, float]:
    return {c.id: float(c.default_weight) for c in catalog.criteria}


def weights_from_link(params: Mapping[str, str | list[str]], catalog: Catalog) -> tuple[dict[str, float], list[str]]:
    """Weights from ``w.<criterion>`` query keys; a bad key or value is skipped with one sentence each."""
    weights = default_weights(catalog)
    problems = []
    for key, raw in params.items():
        if not key.startswith(WEIGHT_PREFIX):
            continue
        criterion = key.removeprefix(WEIGHT_PREFIX)
        value = raw[-1] if isinstance(raw, list) else raw
        if criterion not in weights:
            problems.append(f'The link\'s weight "{key}" names no criterion and is ignored; '
                            f'criteria: {", ".join(weights)}.')
            continue
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not 0 <= number <= 5:  # also rejects NaN
            problems.append(f'The link\'s weight "{key}" must be a number from 0 to 5 (got {value!r}) and is ignored.')
            continue
        weights[criterion] = number
    return weights, problems


def link_query(assessment: Assessment, weights: Mapping[str, float], catalog: Catalog,
               present: bool = False) -> dict[str, str]:
    """The whole link: the assessment's query, the weights that differ from the defaults, and presenter mode."""
    defaults = default_weights(catalog)
    query = to_query(assessment)
    query.update({f"{WEIGHT_PREFIX}{cid}": f"{value:g}" for cid, value in weights.items()
                  if value != defaults.get(cid)})
    if present:
        query[PRESENT] = "1"
    return query


def present_from_link(params: Mapping[str, str | list[str]]) -> tuple[bool, str]:
    """Presenter mode as the link says (``present=1``), and one sentence when the link's value is not 1 or 0."""
    raw = params.get(PRESENT)
    if raw is None:
        return False, ""
    value = raw[-1] if isinstance(raw, list) else raw
    word = value.strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True, ""
    if word in ("0", "false", "no", "off", ""):
        return False, ""
    return False, (f"Presenter mode in the shared link must be 1 (on) or 0 (off), but the link says {value[:40]}; "
                   "showing the normal view.")

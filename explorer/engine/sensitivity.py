"""Sensitivity: each input the cost reads moved by ±X%, and the swing it causes in every option's total.

One sweep covers all eight options (each what-if costs all of them anyway), so switching the chosen
option reads another column of the same table instead of sweeping again.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from explorer.engine.capacity import capacity_of
from explorer.engine.cost import STRUCTURAL, CostResult, price_options
from explorer.engine.pipeline import choice_free, cost_of, costed
from explorer.model.assessment import Assessment, bounds
from explorer.model.cache import ContentCache
from explorer.model.catalog import Catalog
from explorer.model.errors import ExplorerError
from explorer.model.formatting import fmt_quantity
from explorer.model.vocabulary import option_key

WORKLOAD_INPUTS: dict[str, str] = {
    "requests_per_day": "Requests per day",
    "output_tokens": "Output tokens per request",
    "input_tokens": "Input tokens per request",
    "peak_factor": "Peak factor",
    "dataset_tokens": "Dataset tokens",
    "epochs": "Epochs",
    "retrain_every_months": "Retrain every (months)",
}


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class SensitivityRow(_Result):
    input: str
    label: str
    base_value: float
    low_value: float
    high_value: float
    low_total: float
    high_total: float
    low_note: str = ""  # what the low step did besides moving the number: a new sizing regime, no price
    high_note: str = ""

    @property
    def swing(self) -> float:
        return abs(self.high_total - self.low_total)

    @property
    def regime_change(self) -> bool:
        """A step that turned the sizing into another regime (or made it impossible) is not a plain swing."""
        return bool(self.low_note or self.high_note)


class Sensitivity(_Result):
    """The tornado of one option: its inputs ranked by the swing in its total."""

    scenario: int
    use_case: str
    pct: float
    base_total: float
    rows: tuple[SensitivityRow, ...]  # largest swing first


class _Sweep(_Result):
    input: str
    label: str
    base_value: float
    low_value: float
    high_value: float
    low_totals: dict[str, float]  # option key -> total
    high_totals: dict[str, float]
    low_note: str = ""
    high_note: str = ""


class SensitivityTable(_Result):
    """Every input's ±pct% what-ifs, with the totals of all eight options."""

    pct: float
    base_totals: dict[str, float]
    sweeps: tuple[_Sweep, ...]

    def for_option(self, scenario: int, use_case: str) -> Sensitivity:
        key = option_key(scenario, use_case)
        base = self.base_totals[key]
        rows = [SensitivityRow(input=s.input, label=s.label, base_value=s.base_value, low_value=s.low_value,
                               high_value=s.high_value, low_total=s.low_totals[key], high_total=s.high_totals[key],
                               low_note=s.low_note, high_note=s.high_note)
                for s in self.sweeps]
        rows = [r for r in rows if r.swing > 1e-9 * max(1.0, base) or r.regime_change]
        # Plain swings first, largest on top; a step that changed the regime is listed after them, labelled,
        # so that it never hides every other bar.
        rows.sort(key=lambda r: (r.regime_change, -r.swing, r.input))
        return Sensitivity(scenario=scenario, use_case=use_case, pct=self.pct, base_total=base, rows=tuple(rows))


def _totals(result: CostResult) -> dict[str, float]:
    return {o.key: o.total for o in result.options}


def with_workload(a: Assessment, field: str, value: float) -> Assessment:
    """The assessment with one workload field moved, kept inside the field's valid range."""
    if field in ("input_tokens", "output_tokens", "retrain_every_months"):
        value = round(value)
    lo, hi = bounds(f"workload.{field}")["min_value"], bounds(f"workload.{field}")["max_value"]
    value = min(max(value, lo), hi)
    return a.model_copy(update={"workload": a.workload.model_copy(update={field: value})})


_CACHE: ContentCache[SensitivityTable] = ContentCache("sensitivity", 128)


def sensitivity_table(catalog: Catalog, a: Assessment, pct: float | None = None) -> SensitivityTable:
    """The ±pct% sweep of every input the evaluation reads (cached by the assessment, not by the choice)."""
    pct = a.costing.sensitivity_pct if pct is None else pct
    return _CACHE.get((catalog.version, choice_free(a), pct), lambda: _sweep(catalog, a, pct))


def sensitivity(catalog: Catalog, a: Assessment, pct: float | None = None) -> Sensitivity:
    """The tornado of the assessment's chosen option."""
    return sensitivity_table(catalog, a, pct).for_option(a.scenario, a.use_case)


def regime(catalog: Catalog, a: Assessment) -> dict[str, tuple[int, bool] | str]:
    """What the sizing looks like, beyond the numbers: GPUs per replica and whether the TPOT target is met
    for each way to serve, or why it cannot be sized."""
    cap = capacity_of(catalog, a)
    out: dict[str, tuple[int, bool] | str] = {}
    for name in ("serving_cloud", "serving_local"):
        sized = getattr(cap, name)
        out[name] = (sized.tensor_parallel, sized.tpot_met) if sized is not None else cap.errors.get(name, "")
    return out


def regime_note(catalog: Catalog, base: Assessment, changed: Assessment) -> str:
    """One sentence when ``changed`` sizes serving in another regime than ``base``, else empty."""
    was, now = regime(catalog, base), regime(catalog, changed)
    found: dict[str, list[str]] = {}  # a sentence with {where} -> the places it holds for
    for name, where in (("serving_cloud", "in the cloud"), ("serving_local", "on premises")):
        b, n = was[name], now[name]
        if b == n:
            continue
        if isinstance(n, str):
            text = "the model can no longer be served {where}" + (f" ({n.rstrip('.')})" if n else "")
        elif isinstance(b, str):
            text = "the model can now be served {where}"
        elif b[1] and not n[1]:
            text = (f"no batch meets the {fmt_quantity(changed.workload.tpot_target_ms)} ms TPOT target {{where}} "
                    f"any more, so serving falls back to batch 1 on {n[0]} GPUs per replica")
        elif n[1] and not b[1]:
            text = "the TPOT target is now met {where}"
        else:
            text = f"serving {{where}} takes {n[0]} GPUs per replica instead of {b[0]}"
        found.setdefault(text, []).append(where)
    return "; ".join(text.format(where=" and ".join(places)) for text, places in found.items())


def _sweep(catalog: Catalog, a: Assessment, pct: float) -> SensitivityTable:
    base_cost = costed(catalog, a)
    if base_cost.exception is not None:
        raise base_cost.exception
    base, structure = base_cost.result, base_cost.structure
    assert base is not None and structure is not None
    base_totals = _totals(base)
    lo, hi = 1 - pct / 100.0, 1 + pct / 100.0

    def priced(changed: Assessment) -> tuple[dict[str, float], str]:
        """The what-if's totals, and a note when its sizing changed regime (or it cannot be priced)."""
        note = regime_note(catalog, a, changed)
        try:
            return _totals(cost_of(catalog, changed)), note
        except ExplorerError as exc:
            return dict(base_totals), f"it cannot be priced: {str(exc).rstrip('.')}"

    sweeps: list[_Sweep] = []
    for key in base.used:
        item = catalog.price_items[key]
        value = base.prices[key]
        if value == 0:
            continue
        # Each step stays inside the input's domain (the catalog's min and max).
        low_v, high_v = min(max(value * lo, item.min), item.max), min(max(value * hi, item.min), item.max)
        totals, notes = [], []
        for v in (low_v, high_v):
            if key.startswith("eff:") or key in STRUCTURAL:  # sizing or patterns change: the whole pipeline
                t, n = priced(a.model_copy(update={"prices": {**a.prices, key: v}}))
            else:  # a plain price: sizing, placement and patterns stay as they are
                t, n = _totals(price_options(structure, {**base.prices, key: v})), ""
            totals.append(t)
            notes.append(n)
        sweeps.append(_Sweep(input=key, label=f"{item.label} ({item.group})", base_value=value, low_value=low_v,
                             high_value=high_v, low_totals=totals[0], high_totals=totals[1], low_note=notes[0],
                             high_note=notes[1]))
    for field, label in WORKLOAD_INPUTS.items():
        value = float(getattr(a.workload, field))
        if value == 0:
            continue
        totals, values, notes = [], [], []
        for factor in (lo, hi):
            changed = with_workload(a, field, value * factor)
            values.append(float(getattr(changed.workload, field)))
            t, n = priced(changed)
            totals.append(t)
            notes.append(n)
        sweeps.append(_Sweep(input=f"workload.{field}", label=label, base_value=value, low_value=values[0],
                             high_value=values[1], low_totals=totals[0], high_totals=totals[1], low_note=notes[0],
                             high_note=notes[1]))
    return SensitivityTable(pct=pct, base_totals=base_totals, sweeps=tuple(sweeps))

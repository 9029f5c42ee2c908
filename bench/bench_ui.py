"""A widget change on the Explorer page against the framework's floor: the same page replaying precomputed outputs.

Both runs drive the real app with Streamlit's AppTest (script execution and element serialisation, no browser).
The floor replaces every engine call the page makes (placement and thresholds, cost analysis, diagram sources and
renders, chart builders) by a dictionary lookup of outputs computed beforehand, so what is left is Streamlit's own
cost of the same widgets and elements. "Warm" flips between options the session has seen (the engine's content
caches answer); "cold" asks for an assessment the process has never seen.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from streamlit.testing.v1 import AppTest

from bench.common import report

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
OPTIONS = [(s, u) for s in (1, 2, 3, 4) for u in ("1A", "1B")]


def _key(value: Any) -> Any:
    """A lookup key: content for inputs, identity for outputs passed back in (the store returns the same object)."""
    if type(value).__name__ == "Decision":
        return ("decision", value.assessment.model_dump_json(), tuple(sorted(value.weights.items())))
    if isinstance(value, BaseModel) and type(value).__name__ in ("Assessment", "ArchitectureModel"):
        return value.model_dump_json()
    if isinstance(value, str | int | float | bool | None):
        return value
    if isinstance(value, tuple | list) and all(isinstance(v, str | int | float) for v in value):
        return tuple(value)
    if isinstance(value, dict) and all(isinstance(v, str | int | float) for v in value.values()):
        return tuple(sorted(value.items()))
    return ("id", id(value))


def _replaying(fn: Callable[..., Any], store: dict[Any, Any]) -> Callable[..., Any]:
    """``fn`` while recording; afterwards answers from ``store`` (the floor never computes)."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = (fn.__qualname__, tuple(_key(a) for a in args), tuple(sorted((k, _key(v)) for k, v in kwargs.items())))
        if key not in store:
            store[key] = fn(*args, **kwargs)
        return store[key]

    return wrapper


def _patch_engine(store: dict[Any, Any]) -> list[tuple[Any, str, Any]]:
    import explorer.render as render
    from explorer.engine.decision import Decision
    from pages.parts import cache, shell

    targets = [(shell, "decide"), (render, "view_source"), (render, "render_dot"), (cache, "radar"),
               (cache, "cost_figure"), (Decision, "uncertainty"), (Decision, "thresholds")]
    saved = []
    for module, name in targets:
        original = getattr(module, name)
        saved.append((module, name, original))
        setattr(module, name, _replaying(original, store))
    return saved


def _restore(saved: list[tuple[Any, str, Any]]) -> None:
    for module, name, original in saved:
        setattr(module, name, original)


def _flip_times(at: AppTest, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        for scenario, use_case in OPTIONS:
            start = time.perf_counter()
            at.selectbox(key="scenario").set_value(scenario)
            at.segmented_control(key="use_case").set_value(use_case)
            at.run()
            times.append((time.perf_counter() - start) * 1000)
            assert not at.exception, at.exception
    return times


def _new_numbers(at: AppTest, steps: int, start: float) -> list[float]:
    """Each step asks for a requests-per-day figure the process has never seen (every stage computes)."""
    times = []
    at.session_state["sidebar_workload"] = True  # requests per day is in the sidebar's Workload, drawn while open
    at.run()
    for i in range(steps):
        at.number_input(key="requests_per_day").set_value(start + 137 * i)
        t0 = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - t0) * 1000)
        assert not at.exception, at.exception
    return times


def main() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    _flip_times(at, 1)  # every option seen once
    warm = _flip_times(at, 3)
    cold = _new_numbers(at, 12, 61_000)

    store: dict[Any, Any] = {}
    saved = _patch_engine(store)
    try:
        floor_app = AppTest.from_file(APP, default_timeout=120)
        floor_app.run()
        _flip_times(floor_app, 1)  # record every output once
        floor = _flip_times(floor_app, 3)  # replay
    finally:
        _restore(saved)

    warm_ms, floor_ms, cold_ms = statistics.median(warm), statistics.median(floor), statistics.median(cold)
    report("Explorer page: one widget change, AppTest, median", [
        ("floor: same page replaying precomputed outputs", floor_ms, "ms"),
        ("cached change: scenario + use case, options seen before", warm_ms, "ms"),
        ("new numbers: a requests-per-day value never seen", cold_ms, "ms"),
        ("cached change / floor", warm_ms / floor_ms, "x"),
        ("new numbers / cached change", cold_ms / warm_ms, "x"),
    ])


if __name__ == "__main__":
    main()

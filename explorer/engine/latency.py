"""Latency under load: TTFT and TPOT at the concurrency the traffic implies, with queueing and interference.

One replica receives ``rate`` requests/s (Poisson). Its time is shared between prefills and decode steps
(continuous batching), so with ρ_p = rate · prefill the share of time spent prefilling:

* **TPOT** — a decode step reads the weights (``a`` seconds) and each in-flight sequence's KV cache (``c``
  seconds per sequence), and is stretched by the prefills run in between:  TPOT = (a + c · n) / (1 − ρ_p),
  where n = rate · output · TPOT sequences decode at once (Little's law). Solved:
  TPOT = a / (1 − ρ_p − rate · output · c), and at least one sequence's step (a + c) / (1 − ρ_p).
* **TTFT** — the prompt's own prefill, plus half a scheduling round of decode steps (an engine that runs
  ``scheduler_steps`` steps per round picks a new prompt up only between rounds; under load a round is
  always under way, so idle replicas are not counted on), plus the M/D/1 wait behind other
  prefills ρ_p · prefill / (2 (1 − ρ_p)), plus the M/M/c (Erlang C) wait for one of the ``batch`` sequence
  slots, each held for prefill + output · TPOT.

The replica saturates at the throughput the roofline gives (``requests_per_second_per_replica``): there the
slots are full and the wait is unbounded. Sizing adds replicas until the peak's TTFT and TPOT meet the
targets. Little (1961); Pollaczek–Khinchine for M/D/1; Erlang (1917) for M/M/c; Yu et al. 2022 (Orca) and
Agrawal et al. 2024 (Sarathi-Serve) for prefill–decode interference in continuous batching.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from explorer.engine.load_result import ServingLoad
from explorer.engine.sizing import ServingSizing
from explorer.model.engine_profiles import EngineProfile

MAX_SLOTS = 4096  # Erlang C beyond this many slots is computed at the same utilisation on 4,096
# A target met only below 5 % of a replica's throughput is left to the rules: nobody buys twenty idle replicas to
# shave a scheduling round off the time to first token.
MIN_UTILISATION = 0.05
_GRID = np.linspace(MIN_UTILISATION, 0.9975, 96)  # the utilisations searched for the targets


def erlang_c_wait(offered: Any, servers: int, hold: Any) -> np.ndarray:
    """Mean wait in an M/M/c queue: ``offered`` Erlangs on ``servers`` servers each held ``hold`` seconds.

    Erlang B = (A^c / c!) / Σ_k≤c A^k / k!, then C = c·B / (c − A·(1 − B)) and
    W = C · hold / (c − A). Infinite at or beyond saturation (A ≥ c). Loads more than 8·√A + 8 servers below
    saturation wait less than 1e-12 of the hold (the Halfin–Whitt regime's tail) and are not iterated.
    """
    a = np.atleast_1d(np.asarray(offered, dtype=float))
    hold_s = np.broadcast_to(np.asarray(hold, dtype=float), a.shape)
    c = max(int(servers), 1)
    scale = MAX_SLOTS / c if c > MAX_SLOTS else 1.0
    a, c = a * scale, min(c, MAX_SLOTS)
    wait = np.where(a < c, 0.0, np.inf)
    near = (a > 0) & (a < c) & (c - a < 8.0 * np.sqrt(a) + 8.0)
    if near.any():
        x = a[near]
        # B = (A^c / c!) / Σ_k A^k / k!, in logarithms over every k at once (the recursion's closed form).
        log_factorial = np.concatenate(([0.0], np.cumsum(np.log(np.arange(1, c + 1)))))
        log_terms = np.arange(c + 1) * np.log(x)[:, None] - log_factorial
        top = log_terms.max(axis=1, keepdims=True)
        b = np.exp(log_terms[:, -1] - (top[:, 0] + np.log(np.exp(log_terms - top).sum(axis=1))))
        erlang_c = c * b / (c - x * (1.0 - b))
        wait[near] = erlang_c * hold_s[near] / (c - x)
    return wait.reshape(np.shape(offered)) if np.ndim(offered) else wait[0]


def loaded_latency(s: ServingSizing, factors: Mapping[str, float], steps: int, rate: Any) -> dict[str, np.ndarray]:
    """TTFT and TPOT (seconds), utilisation and concurrency of one replica at ``rate`` requests/s (arrays)."""
    lam = np.asarray(rate, dtype=float)
    bandwidth = s.replica_bandwidth * factors["eff:decode_bandwidth_efficiency"]
    flops = s.replica_flops * factors["eff:decode_compute_efficiency"]
    a = s.weight_bytes / bandwidth  # weights read once per decode step
    c_kv = (s.step_bytes - s.weight_bytes) / s.batch / bandwidth  # one sequence's KV read per step
    c_flops = s.step_flops / s.batch / flops  # one sequence's 2·N FLOPs per step
    prefill = s.ttft_ms / 1000.0
    out = max(s.output_tokens, 1)
    capacity = s.requests_per_second_per_replica
    rho_p = lam * prefill
    with np.errstate(divide="ignore", invalid="ignore"):
        free = 1.0 - rho_p - lam * out * c_kv
        single = max(a + c_kv, c_flops) / (1.0 - rho_p)
        stable = (lam < capacity * (1 - 1e-12)) & (free > 0)
        tpot = np.where(stable, np.maximum(a / free, single), np.inf)
        step = tpot * (1.0 - rho_p)  # one decode step at this load
        scheduling = steps * step / 2.0
        prefill_queue = np.where(stable, rho_p * prefill / (2.0 * (1.0 - rho_p)), np.inf)
        hold = prefill + out * tpot
        slots = np.where(stable, erlang_c_wait(lam * hold, s.batch, hold), np.inf)
        ttft = np.where(stable, np.where(lam > 0, prefill + scheduling + prefill_queue + slots, prefill), np.inf)
        concurrency = np.where(stable, lam * (ttft + out * tpot), np.inf)
    return {"ttft": ttft, "tpot": tpot, "utilisation": lam / capacity, "concurrency": concurrency}


def _max_utilisation(s: ServingSizing, factors: Mapping[str, float], steps: int, targets: Mapping[str, float | None],
                     coarse: Mapping[str, np.ndarray], key: str) -> float | None:
    """The largest share of a replica's throughput at which ``key`` (ttft or tpot) meets its target.

    1 without a target; None when not even ``MIN_UTILISATION`` of the throughput meets it (the target is
    left to the rules). ``coarse`` is the latency on ``_GRID``; the step where the target breaks is refined.
    """
    target = targets[key]
    if target is None:
        return 1.0
    ok = coarse[key] * 1000.0 <= target
    if not ok[0]:
        return None
    if ok.all():
        return 1.0
    k = int(np.argmin(ok)) - 1  # the last utilisation before the first miss
    u = np.linspace(_GRID[k], _GRID[k + 1], 101)
    fine = loaded_latency(s, factors, steps, u * s.requests_per_second_per_replica)[key] * 1000.0 <= target
    return float(u[int(np.argmin(fine)) - 1] if not fine.all() else u[-1])


def with_load(
    s: ServingSizing,
    factors: Mapping[str, float],
    profile: EngineProfile,
    *,
    average_rate: float,
    peak_rate: float,
    ttft_target_ms: float | None = None,
    tpot_target_ms: float | None = None,
    fixed_replicas: bool = False,
) -> ServingSizing:
    """The sizing with replicas for the loaded latency targets at ``peak_rate`` and its P50 and peak latency.

    ``average_rate`` and ``peak_rate`` are requests/s across all replicas. Unless ``fixed_replicas``, replicas
    are added until the peak's TTFT and TPOT meet the targets; a target missed even at 5 % of a replica's
    throughput (``MIN_UTILISATION``) adds none (the latency rules then say so).
    """
    steps = profile.scheduler_steps
    # Each target that more replicas can meet caps the load per replica; one they cannot is left to the rules.
    targets = {"ttft": ttft_target_ms, "tpot": tpot_target_ms}
    coarse = loaded_latency(s, factors, steps, _GRID * s.requests_per_second_per_replica)
    limits = [x for x in (_max_utilisation(s, factors, steps, targets, coarse, key) for key in targets)
              if x is not None]
    # Whatever the targets, the peak stays where the replica has a steady state (TTFT and TPOT finite).
    finite = np.isfinite(coarse["ttft"]) & np.isfinite(coarse["tpot"])
    steady = float(_GRID[-1] if finite.all() else _GRID[max(int(np.argmin(finite)) - 1, 0)])
    limit = min([*limits, steady])
    replicas = s.replicas
    notes = list(s.notes)
    if peak_rate > 0 and not fixed_replicas:
        needed = math.ceil(peak_rate / (s.requests_per_second_per_replica * limit) - 1e-9)
        if needed > replicas:
            why = ("the time to first token and per output token meet their targets" if limit < steady
                   else "the queue stays finite")
            notes.append(f"{needed} replicas instead of {replicas}, so that {why} at the peak ({limit:.0%} of each "
                         "replica's throughput).")
            replicas = needed
    per = max(replicas, 1)
    r = loaded_latency(s, factors, steps, np.array([average_rate / per, peak_rate / per]))
    ttft, tpot = r["ttft"] * 1000.0, r["tpot"] * 1000.0
    met = bool(np.isfinite(ttft[1]) and np.isfinite(tpot[1])
               and (ttft_target_ms is None or ttft[1] <= ttft_target_ms)
               and (tpot_target_ms is None or tpot[1] <= tpot_target_ms))
    load = ServingLoad(
        engine=profile.id, engine_name=profile.name, scheduler_steps=steps, rate_p50=average_rate / per,
        rate_peak=peak_rate / per,
        ttft_p50_ms=_finite(ttft[0]), tpot_p50_ms=_finite(tpot[0]), ttft_peak_ms=_finite(ttft[1]),
        tpot_peak_ms=_finite(tpot[1]), utilisation_p50=float(r["utilisation"][0]),
        utilisation_peak=float(r["utilisation"][1]), concurrency_p50=_finite(r["concurrency"][0]),
        concurrency_peak=_finite(r["concurrency"][1]), replicas_for_throughput=s.replicas,
        max_utilisation=1.0 if fixed_replicas else limit, latency_met=met,
    )
    return s.model_copy(update={
        "replicas": replicas, "gpus": replicas * s.tensor_parallel,
        "tokens_per_second": replicas * s.tokens_per_second_per_replica, "notes": tuple(notes), "load": load,
    })


def _finite(x: Any) -> float | None:
    """A latency, or None where the replica has no steady state (JSON has no infinity)."""
    x = float(x)
    return x if math.isfinite(x) else None


def latency_fields(load: ServingLoad, round_trip_ms: float = 0.0) -> dict[str, float | None]:
    """The four loaded figures as JSON keys, the round trip added to the TTFT (``place`` and ``size serving``)."""
    def plus(x: float | None) -> float | None:
        return None if x is None else x + round_trip_ms

    return {"ttft_p50_ms": plus(load.ttft_p50_ms), "tpot_p50_ms": load.tpot_p50_ms,
            "ttft_peak_ms": plus(load.ttft_peak_ms), "tpot_peak_ms": load.tpot_peak_ms}

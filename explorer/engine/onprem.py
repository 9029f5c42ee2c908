"""On premises as one GPU pool: training on the serving GPUs' spare replicas, staff per server, power by region.

Every function is vectorised like the cost kernel that calls it: prices and efficiencies may be arrays of
samples, and the per-option arrays broadcast to (samples, options).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from explorer.engine.prices import PriceReader
from explorer.engine.sizing import TrainingSizing
from explorer.model.catalog import Catalog
from explorer.model.errors import PricingError
from explorer.model.hardware import GpuSpec

HOURS_PER_DAY = 24.0
POOL_NOTE = (
    "On premises, training and serving share one GPU pool: a fine-tuning run uses the serving replicas the "
    "average load leaves spare (one always stays up), at the stated usable share, as a preemptible, checkpointed "
    "job; only the GPUs it still needs to finish within the training deadline are added."
)


def power_key(region: str) -> str:
    """The electricity price of the premises' region (``onprem:power_kwh:eu``)."""
    return f"onprem:power_kwh:{region}"


def gpus_per_server(catalog: Catalog, gpu: GpuSpec) -> int:
    """GPUs in one server of this type, from the server price catalog (staff is counted per server)."""
    server = catalog.onprem.server(gpu.id)
    if server is None:
        known = ", ".join(s.gpu for s in catalog.onprem.servers)
        raise PricingError(f"There is no on-premises server price for {gpu.name}; choose an on-premises GPU from: "
                           f"{known}.")
    return server.gpus_per_server


def whole_nodes(count: Any) -> Any:
    """GPUs as the training sizing rounds them: 1, 2, 4 or 8 in one server, then whole 8-GPU servers (0 stays 0)."""
    n = np.asarray(count, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        power_of_two = np.power(2.0, np.ceil(np.log2(np.maximum(n, 1.0))))
    return np.where(n <= 0, 0.0, np.where(n <= 8, power_of_two, np.ceil(n / 8.0) * 8.0))


def spare_replicas(replicas: Any, busy: Any) -> Any:
    """Replicas the average load leaves free: all but those it keeps busy (``replicas × busy``), one kept up."""
    r = np.asarray(replicas, dtype=float)
    return np.where(r > 0, np.maximum(r - np.maximum(r * busy, 1.0), 0.0), 0.0)


def pooled_training_gpus(t: TrainingSizing, replicas: Any, tensor_parallel: int, busy: Any, deadline_days: float,
                         P: PriceReader) -> Any:
    """GPUs added to the serving pool so that one fine-tuning run finishes within the deadline.

    In the deadline's ``D`` hours the spare replicas lend ``spare × TP × D × usable`` GPU-hours; the shortfall
    of the run's GPU-hours is bought as ``ceil(short / D)`` GPUs, and at least as many as the model's training
    state needs beyond the spare GPUs, rounded to whole nodes as the sizing rounds, never more than the run
    would use on its own (``t.gpus``). Without spare replicas this is exactly ``t.gpus``.
    """
    hours = deadline_days * HOURS_PER_DAY
    spare_gpus = spare_replicas(replicas, busy) * tensor_parallel
    lent = spare_gpus * hours * P("onprem:pool_idle_usable")
    short = np.maximum(t.gpu_hours - lent, 0.0)
    by_time = np.ceil(short / hours)
    by_memory = np.maximum(t.gpus_for_memory - np.floor(spare_gpus), 0.0)
    return np.minimum(whole_nodes(np.maximum(by_time, by_memory)), float(t.gpus))


def lease_factor(rate: Any, months: int, residual: Any) -> Any:
    """Monthly lease payment per dollar of server price: an annuity over ``months`` at ``rate`` per year that
    leaves ``residual`` of the price to the lessor (``rate`` and ``residual`` may be arrays of samples)."""
    r = np.asarray(rate, dtype=float) / 12.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        v = np.power(1.0 + r, -months)
        annuity = r * (1.0 - np.asarray(residual) * v) / (1.0 - v)
    flat = (1.0 - np.asarray(residual)) / months  # no interest: straight repayment of the price less the residual
    return np.where(r > 0, annuity, flat)


def staff_fte(running: Any, per_server: int, P: PriceReader) -> Any:
    """Operations staff: servers (GPUs ÷ GPUs per server, rounded up) ÷ servers per FTE, at least the floor."""
    servers = np.ceil(np.asarray(running, dtype=float) / per_server)
    return (servers > 0) * np.maximum(P("onprem:staff_min_fte"), servers / P("onprem:staff_servers_per_fte"))

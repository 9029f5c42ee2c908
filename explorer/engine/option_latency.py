"""The latency each option's users see: the serving engine's loaded figures where it serves, plus a round trip.

One computation for ``place --json``, the Explorer's decision panel and the Cost page (the latency rules read
the same capacity through ``Capacity.prefill_ms``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from explorer.engine.capacity import Capacity
from explorer.engine.latency import latency_fields
from explorer.engine.rules import request_path_crossings
from explorer.model.assessment import Assessment


class OptionLatency(BaseModel):
    model_config = ConfigDict(frozen=True)

    engine: str
    engine_name: str
    where: str  # where the model is served: local | public_cloud
    round_trip_ms: float  # the cloud round trip in the request path (0 when none)
    ttft_p50_ms: float | None  # at the average load, round trip included (None: no steady state)
    tpot_p50_ms: float | None
    ttft_peak_ms: float | None  # at the peak (peak_factor × the average), round trip included
    tpot_peak_ms: float | None
    ttft_target_ms: float
    tpot_target_ms: float

    @property
    def meets_targets(self) -> bool:
        return (self.ttft_peak_ms is not None and self.tpot_peak_ms is not None
                and self.ttft_peak_ms <= self.ttft_target_ms and self.tpot_peak_ms <= self.tpot_target_ms)


def option_latency(cap: Capacity, a: Assessment, locations: Mapping[str, str]) -> OptionLatency | None:
    """The loaded TTFT and TPOT at P50 and peak for one placement; None where the model cannot be served."""
    where = "local" if locations["serving"] == "local" else "public_cloud"
    serving = cap.serving(where)
    if serving is None or serving.load is None:
        return None
    rtt = a.constraints.cloud_rtt_ms if request_path_crossings(locations) else 0.0
    return OptionLatency(engine=serving.load.engine, engine_name=serving.load.engine_name, where=where,
                         round_trip_ms=rtt, ttft_target_ms=a.workload.ttft_target_ms,
                         tpot_target_ms=a.workload.tpot_target_ms, **latency_fields(serving.load, rtt))


def latency_json(cap: Capacity, a: Assessment, option: Any) -> dict[str, Any] | None:
    """An option's loaded latency at P50 and at the peak, for ``place --json`` (``option``: a placed option)."""
    latency = option_latency(cap, a, {s: p.location for s, p in option.stages.items()})
    return None if latency is None else {**latency.model_dump(), "meets_targets": latency.meets_targets}

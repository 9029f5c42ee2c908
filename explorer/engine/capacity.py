"""Capacity, the first stage: training and serving sized once on the cloud's GPU and on the premises' GPU.

The rules (latency, GPU capacity) and the cost model read these sizings; nothing downstream sizes again.
A sizing that is impossible (the model does not fit) is kept as its one-sentence reason: a rule then makes
no claim, and the cost model raises it only where an option needs that stage there.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from explorer.engine.latency import with_load
from explorer.engine.prices import efficiency_overrides, resolve_prices
from explorer.engine.sizing import ServingSizing, TrainingSizing, size_serving, size_training
from explorer.model.assessment import Assessment
from explorer.model.cache import ContentCache
from explorer.model.catalog import Catalog
from explorer.model.engine_profiles import engine_profile
from explorer.model.errors import SizingError
from explorer.model.hardware import GpuSpec

SECONDS_PER_DAY = 86_400.0
WHERE = ("public_cloud", "local")


class Capacity(BaseModel):
    """What each stage needs where it may run: GPUs, memory, throughput and latency."""

    model_config = ConfigDict(frozen=True)

    cloud_gpu: GpuSpec  # the GPU rented in the cloud
    local_gpu: GpuSpec  # the GPU on premises: the type owned, else the type bought
    peak_requests_per_second: float  # at the peak factor, before the traffic multiplier
    training_cloud: TrainingSizing | None
    training_local: TrainingSizing | None
    serving_cloud: ServingSizing | None
    serving_local: ServingSizing | None
    errors: dict[str, str] = {}  # "serving_local" -> why it cannot be sized

    def gpu(self, where: str) -> GpuSpec:
        return self.local_gpu if where == "local" else self.cloud_gpu

    def serving(self, where: str) -> ServingSizing | None:
        return self.serving_local if where == "local" else self.serving_cloud

    def training(self, where: str) -> TrainingSizing | None:
        return self.training_local if where == "local" else self.training_cloud

    def prefill_ms(self, where: str) -> float:
        """The serving stack's own time to first token at the peak load where the model is served, in ms.

        The loaded figure (explorer/engine/latency.py): prefill, scheduling and queueing at the peak request
        rate per replica. 0 when the model cannot be served on that GPU at all: the cost model then has no
        such serving either, so no latency claim is made.
        """
        serving = self.serving(where)
        if serving is None:
            return 0.0
        if serving.load is None:
            return float(serving.ttft_ms)
        return serving.load.ttft_peak_ms if serving.load.ttft_peak_ms is not None else float("inf")

    def required_serving(self, where: str) -> ServingSizing:
        return self._required(f"serving_{_suffix(where)}")  # type: ignore[return-value]

    def required_training(self, where: str) -> TrainingSizing:
        return self._required(f"training_{_suffix(where)}")  # type: ignore[return-value]

    def _required(self, name: str) -> TrainingSizing | ServingSizing:
        sized = getattr(self, name)
        if sized is None:
            raise SizingError(self.errors[name])
        return sized


def _suffix(where: str) -> str:
    return "local" if where == "local" else "cloud"


def _capacity_key(catalog: Catalog, a: Assessment) -> tuple[object, ...]:
    """Exactly what sizing reads: the workload, the costing's GPU, precision and deadline, the owned GPUs and
    the efficiency overrides. The scenario, use case, customer, constraints and prices do not matter."""
    c = a.costing
    return (catalog.version, a.workload.model_dump_json(), c.gpu, c.serving_precision,
            c.training_days, a.constraints.owned_gpus.model_dump_json(), efficiency_overrides(a))


_CACHE: ContentCache[Capacity] = ContentCache("capacity", 512)


def capacity_of(catalog: Catalog, a: Assessment) -> Capacity:
    """Size training and serving on the cloud's and the premises' GPUs (cached by what sizing reads)."""
    return _CACHE.get(_capacity_key(catalog, a), lambda: _size(catalog, a))


def _size(catalog: Catalog, a: Assessment) -> Capacity:
    factors = resolve_prices(catalog, a)
    w = a.workload
    model = catalog.model(w.model)
    owned = a.constraints.owned_gpus
    cloud_gpu = catalog.gpu(a.costing.gpu)
    local_gpu = catalog.gpu(owned.gpu) if owned.count > 0 else cloud_gpu
    peak = w.requests_per_day / SECONDS_PER_DAY * w.peak_factor
    sized: dict[str, TrainingSizing | ServingSizing | None] = {}
    errors: dict[str, str] = {}
    done: dict[str, tuple[object, object, str, str]] = {}  # per GPU id, so one GPU type is sized once
    for suffix, gpu in (("cloud", cloud_gpu), ("local", local_gpu)):
        if gpu.id not in done:
            training, training_error = _training(model, gpu, a, factors)
            serving, serving_error = _serving(catalog, model, gpu, a, factors, peak * factors["eff:traffic_multiplier"])
            done[gpu.id] = (training, serving, training_error, serving_error)
        training, serving, training_error, serving_error = done[gpu.id]
        sized[f"training_{suffix}"], sized[f"serving_{suffix}"] = training, serving  # type: ignore[assignment]
        if training_error:
            errors[f"training_{suffix}"] = training_error
        if serving_error:
            errors[f"serving_{suffix}"] = serving_error
    return Capacity(cloud_gpu=cloud_gpu, local_gpu=local_gpu, peak_requests_per_second=peak, errors=errors,
                    **sized)  # type: ignore[arg-type]


def _training(model, gpu, a: Assessment, factors) -> tuple[TrainingSizing | None, str]:
    w = a.workload
    try:
        return size_training(model, gpu, w.finetune_method, w.dataset_tokens, w.epochs, factors,
                             max_days=a.costing.training_days), ""
    except SizingError as exc:
        return None, str(exc)


def _serving(catalog: Catalog, model, gpu, a: Assessment, factors, peak: float) -> tuple[ServingSizing | None, str]:
    """Sized for throughput at the peak, then replicas added until the loaded latency meets the targets."""
    w = a.workload
    try:
        sized = size_serving(model, gpu, factors, precision=a.costing.serving_precision,
                             input_tokens=w.input_tokens, output_tokens=w.output_tokens, tpot_ms=w.tpot_target_ms,
                             peak_requests_per_second=peak)
    except SizingError as exc:
        return None, str(exc)
    return with_load(sized, factors, engine_profile(catalog.engines, w.serving_engine),
                     average_rate=peak / w.peak_factor, peak_rate=peak, ttft_target_ms=w.ttft_target_ms,
                     tpot_target_ms=w.tpot_target_ms), ""

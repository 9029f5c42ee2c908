"""Serving engine profiles (``data/engines.yaml``): each engine's efficiency factors for the serving roofline.

A profile replaces the roofline's default decode bandwidth efficiency, prefill MFU, decode compute efficiency
and tensor-parallel efficiency (``data/efficiency.yaml``) with the values calibrated against that engine's
published benchmarks, and says how many decode steps it runs between two scheduling decisions (what a newly
arrived prompt waits for).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from explorer.model.catalog_base import Sourced
from explorer.model.errors import CatalogError, UnknownChoiceError
from explorer.model.vocabulary import SERVING_ENGINES

Fraction = Annotated[float, Field(gt=0, le=1)]

# The efficiency factors a profile sets, as their keys in ``Assessment.prices`` (eff:<id>).
PROFILE_FACTORS: tuple[str, ...] = (
    "decode_bandwidth_efficiency", "decode_compute_efficiency", "prefill_mfu", "tensor_parallel_efficiency",
)


class EngineProfile(Sourced):
    id: str
    name: str = Field(min_length=1)
    version: str = Field(min_length=1)  # the release the calibration benchmarks ran
    decode_bandwidth_efficiency: Fraction
    decode_compute_efficiency: Fraction
    prefill_mfu: Fraction
    tensor_parallel_efficiency: Fraction
    scheduler_steps: Annotated[int, Field(ge=1, le=64)]
    calibration: str = Field(min_length=3)  # the benchmarks the factors were fitted to, with their dates

    def factors(self) -> dict[str, float]:
        """The profile's factors as efficiency price keys (``eff:prefill_mfu`` …)."""
        return {f"eff:{name}": float(getattr(self, name)) for name in PROFILE_FACTORS}


def check_engines(path: str, engines: tuple[EngineProfile, ...]) -> None:
    """The catalog holds exactly one profile per serving engine the assessment may name."""
    ids = tuple(sorted(e.id for e in engines))
    if ids != tuple(sorted(SERVING_ENGINES)):
        raise CatalogError(path, "engines", f"must define {', '.join(SERVING_ENGINES)}, found {', '.join(ids)}")


def engine_profile(engines: tuple[EngineProfile, ...], engine_id: str) -> EngineProfile:
    for e in engines:
        if e.id == engine_id:
            return e
    raise UnknownChoiceError("serving engine", engine_id, [e.id for e in engines])

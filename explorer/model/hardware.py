"""Model architectures and GPUs: the facts sizing needs, each with its source and date."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from explorer.model.catalog_base import Sourced

Precision = Literal["bf16", "fp8", "int8", "int4"]
BYTES_PER_PARAM: dict[str, float] = {"fp32": 4.0, "bf16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5}


class ModelSpec(Sourced):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$")
    name: str
    params_b: Annotated[float, Field(gt=0, le=10_000)]
    active_params_b: Annotated[float, Field(gt=0, le=10_000)]
    layers: Annotated[int, Field(gt=0, le=1000)]
    hidden_size: Annotated[int, Field(gt=0)]
    attention_heads: Annotated[int, Field(gt=0)]
    kv_heads: Annotated[int, Field(gt=0)]
    head_dim: Annotated[int, Field(gt=0)]
    context_tokens: Annotated[int, Field(gt=0)]
    licence: Literal["open", "proprietary"]
    licence_name: str

    @property
    def params(self) -> float:
        return self.params_b * 1e9

    def weights_bytes(self, precision: str = "bf16") -> float:
        return self.params * BYTES_PER_PARAM[precision]

    def kv_bytes_per_token(self, precision: str = "bf16") -> float:
        """K and V, for every layer and KV head: 2 · layers · kv_heads · head_dim · bytes."""
        return 2 * self.layers * self.kv_heads * self.head_dim * BYTES_PER_PARAM[precision]


class GpuSpec(Sourced):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$")
    name: str
    memory_gb: Annotated[float, Field(gt=0, le=10_000)]
    bandwidth_tb_s: Annotated[float, Field(gt=0, le=1_000)]
    tflops: dict[Precision, Annotated[float, Field(gt=0)]]
    power_w: Annotated[float, Field(gt=0, le=100_000)]

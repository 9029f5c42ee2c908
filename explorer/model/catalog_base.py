"""Base models shared by every catalog entry: frozen, strict, and sourced where factual."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Sourced(Frozen):
    """Anything that is a fact or a judgement carries where it came from and when."""

    source: str = Field(min_length=3)
    as_of: dt.date
    estimate: bool = False

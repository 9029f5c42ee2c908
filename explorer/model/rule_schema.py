"""The schema of the constraint rules in ``data/rules.yaml``, and of the violations they produce."""

from __future__ import annotations

import string
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from explorer.model.assessment import DEFAULT
from explorer.model.catalog_base import Frozen, Sourced
from explorer.model.vocabulary import COMPLIANCE_REGIMES

Stage = Literal["training", "serving", "inference", "data"]
Where = Literal["local", "public_cloud", "exchanged"]
Severity = Literal["hard", "soft"]
Condition = dict[str, tuple[str | bool, ...]]

# Placeholders a rule's `reason` and `consequence` may use (see the header of data/rules.yaml).
PLACEHOLDERS = ("placed", "is_are", "needs", "rtt", "target", "compute", "needed", "owned", "gpu", "weeks", "detail")
_GPU_PARAMS = ("penalty_per_week",)


class Violation(BaseModel):
    """A broken rule: its id and one sentence. Hard violations make an option infeasible."""

    model_config = ConfigDict(frozen=True)

    rule: str
    message: str
    reason: str = ""  # the message's first half: why ("regulated data cannot leave the premises")
    severity: Severity = "hard"
    stages: tuple[str, ...] = ()
    penalty: float = 0.0  # score points a soft violation costs
    safeguard: str = ""  # what a compliance caution asks for ("a business associate agreement (BAA) ...")
    source: str = ""  # the rule's source, shown beside a caution


def _check_paths(condition: Condition, where: str) -> None:
    for path in condition:
        try:
            field_value(DEFAULT, path)
        except AttributeError:
            raise ValueError(f"{where} names '{path}', which is not an assessment field") from None


def _check_template(template: str, where: str) -> None:
    for _, name, _, _ in string.Formatter().parse(template):
        if name is not None and name not in PLACEHOLDERS:
            raise ValueError(f"{where} uses placeholder {{{name}}}; allowed: {', '.join(PLACEHOLDERS)}")


class Rule(Sourced):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    family: Literal["data", "compliance", "air_gapped", "latency", "licence", "capacity", "skills", "intent"]
    description: str = Field(min_length=10)
    regime: str | None = None
    requires: str | None = None
    safeguard: str = ""  # a compliance rule: the one safeguard it asks for (BAA, DPA, AoC)
    check: Literal["placement", "latency", "local_latency", "gpu_capacity"] = "placement"
    severity: Severity = "hard"
    penalty: Annotated[float, Field(ge=0, le=100)] = 0.0
    when: Condition = Field(default_factory=dict)
    unless: Condition = Field(default_factory=dict)
    stages: tuple[Stage, ...] = ()
    locations: tuple[Where, ...] = ()
    params: dict[str, float] = Field(default_factory=dict)
    reason: str = Field(min_length=5)
    consequence: str = "{placed} {is_are} ruled out"
    relax: str = Field(min_length=5)

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        _check_paths(self.when, "when")
        _check_paths(self.unless, "unless")
        _check_template(self.reason, "reason")
        _check_template(self.consequence, "consequence")
        if self.family == "compliance":
            if self.regime not in COMPLIANCE_REGIMES:
                raise ValueError(f"regime must be one of {', '.join(COMPLIANCE_REGIMES)} (got {self.regime!r})")
            if not self.requires:
                raise ValueError("a compliance rule must state what the regime requires in 'requires'")
            if not self.safeguard:
                raise ValueError("a compliance rule must name the safeguard it asks for in 'safeguard'")
        if self.check in ("placement", "gpu_capacity") and not (self.stages and self.locations):
            raise ValueError(f"a {self.check} rule needs 'stages' and 'locations'")
        if self.check == "gpu_capacity":
            missing = [p for p in _GPU_PARAMS if p not in self.params]
            if missing:
                raise ValueError(f"a gpu_capacity rule needs params {', '.join(missing)}")
        if self.severity == "soft" and self.penalty <= 0:
            raise ValueError("a soft rule needs a penalty above 0")
        return self


class Contradiction(Frozen):
    """Constraints that cannot all hold at once."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    when: Condition
    unless: Condition = Field(default_factory=dict)
    message: str = Field(min_length=10)

    @model_validator(mode="after")
    def _paths(self) -> Contradiction:
        _check_paths(self.when, "when")
        _check_paths(self.unless, "unless")
        return self


def check_rule_coverage(rules: Iterable[Rule]) -> str | None:
    """A problem sentence when a compliance regime the assessment accepts has no rule, else None."""
    covered = {r.regime for r in rules if r.family == "compliance"}
    missing = [r for r in COMPLIANCE_REGIMES if r not in covered]
    return f"no rule states what {', '.join(missing)} requires" if missing else None


def field_value(a: Any, path: str) -> Any:
    """The value at a dotted assessment path (``constraints.residency``)."""
    for part in path.split("."):
        a = getattr(a, part) if isinstance(a, BaseModel) else a[part]
    return a

"""The package's error hierarchy: every message names the input and what is allowed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import ValidationError


class ExplorerError(Exception):
    """Base class of every error the explorer raises on purpose.

    Pages catch it at the edge and show ``str(error)``; the CLI prints it to stderr.
    """


class CatalogError(ValueError, ExplorerError):
    """A file in ``data/`` is missing, malformed, or fails validation."""

    def __init__(self, file: str, field: str, problem: str) -> None:
        self.file = file
        self.field = field
        self.problem = problem
        where = f"{file}, field '{field}'" if field else file
        super().__init__(f"Catalog {where}: {problem}")


class AssessmentError(ValueError, ExplorerError):
    """An assessment (file, URL query or form) does not validate."""

    def __init__(self, source: str, field: str, problem: str) -> None:
        self.source = source
        self.field = field
        self.problem = problem
        where = f"{source}, field '{field}'" if field else source
        super().__init__(f"Assessment {where}: {problem}")


class UnknownChoiceError(ValueError, ExplorerError):
    """A name that must be one of a fixed set of choices is not."""

    def __init__(self, what: str, value: object, choices: Iterable[object]) -> None:
        self.what = what
        self.value = value
        self.choices = [str(c) for c in choices]
        super().__init__(f'"{value}" is not a valid {what}. Choose from: {", ".join(self.choices)}.')


class ExportError(ExplorerError):
    """A diagram or report could not be written where the user asked."""


class RenderError(ExplorerError):
    """Graphviz (or another renderer) failed on a diagram we generated."""


class SizingError(ValueError, ExplorerError):
    """A model cannot be sized on the GPU asked for (it does not fit, or the input is unusable)."""


class PricingError(ValueError, ExplorerError):
    """A price the cost model needs is missing from the catalog (e.g. a GPU a provider does not offer)."""


class WeightsError(ValueError, ExplorerError):
    """The user's criterion weights cannot be used."""


class ThresholdError(ValueError, ExplorerError):
    """A threshold search was asked for an impossible range or tolerance."""


class OutOfRangeError(ValueError, ExplorerError):
    """A number is outside what the engine can use."""

    def __init__(self, what: str, value: float, low: float, high: float | None = None, unit: str = "") -> None:
        self.what = what
        self.value = value
        self.low = low
        self.high = high
        unit = f" {unit}" if unit else ""
        allowed = f"at least {low:g}{unit}" if high is None else f"between {low:g} and {high:g}{unit}"
        super().__init__(f"The {what} must be {allowed} (got {value:g}).")


def dotted(loc: Sequence[Any]) -> str:
    """Turn pydantic's ``loc`` tuple into a dotted field path: ``workload.model``."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int) and parts:
            parts[-1] = f"{parts[-1]}[{item}]"
        else:
            parts.append(str(item))
    return ".".join(parts)


def describe_validation_error(error: ValidationError) -> tuple[str, str]:
    """The first problem in a pydantic error as (dotted field, plain sentence)."""
    first = error.errors(include_url=False)[0]
    field = dotted(first.get("loc", ()))
    kind = first.get("type", "")
    value = first.get("input")
    message = first.get("msg", "is invalid")
    if kind == "extra_forbidden":
        problem = "is not a known field"
    elif kind == "missing":
        problem = "is required but missing"
    else:
        if kind == "value_error":
            message = message.removeprefix("Value error, ")
        problem = f"{message[0].lower()}{message[1:]}"
        if not isinstance(value, dict | list | tuple):
            shown = repr(value)
            problem += f" (got {shown[:77] + '...' if len(shown) > 80 else shown})"
    extra = len(error.errors()) - 1
    if extra > 0:
        problem += f"; and {extra} more problem{'s' if extra > 1 else ''}"
    return field, problem

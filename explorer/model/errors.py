"""The package's error hierarchy: every message names the input and what is allowed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

NO_VALUE: Any = type("NoValue", (), {"__repr__": lambda self: "NO_VALUE"})()  # no value to show


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
        end = "" if problem.endswith((".", "?", "!")) else "."
        super().__init__(f"Catalog {where}: {problem}{end}")


class AssessmentError(ValueError, ExplorerError):
    """An assessment (file, URL query or form) does not validate.

    The message is one or more full sentences: the source, the dotted field, what is allowed, and the value
    given (``value``; :data:`NO_VALUE` when there is none to show, e.g. a file that is not YAML).
    """

    def __init__(self, source: str, field: str, problem: str, value: object = NO_VALUE, more: int = 0) -> None:
        self.source = source
        self.field = field
        self.problem = problem
        self.value = value
        self.more = more
        where = f"{source}, field '{field}'" if field else source
        got = "" if value is NO_VALUE else f" (got {shown_value(value)})"
        super().__init__(f"Assessment {where}: {problem}{got}.{more_problems(more)}")


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


@dataclass(frozen=True)
class Problem:
    """The first problem of a pydantic error, in plain words: ``field`` ``problem`` (the value was ``value``)."""

    field: str  # dotted path, e.g. workload.requests_per_day or constraints.compliance[1]
    problem: str  # what is allowed, e.g. "must be 1, 2, 3 or 4"
    value: Any = NO_VALUE  # what was given (NO_VALUE: nothing worth showing, e.g. a whole mapping)
    more: int = 0  # further problems in the same error


def shown_value(value: object) -> str:
    """A value as a message quotes it: its repr, at most 80 characters."""
    whole = isinstance(value, float) and value.is_integer() and abs(value) < 1e15
    shown = str(int(value)) if whole else repr(value)  # 2, not 2.0
    return shown[:77] + "..." if len(shown) > 80 else shown


def more_problems(more: int) -> str:
    return f" {more} more field{'s have' if more > 1 else ' has'} a problem too." if more > 0 else ""


def number(value: float) -> str:
    """A bound as people write it: 10,000 (not 10000.0); 0.001 stays 0.001."""
    return f"{int(value):,}" if float(value).is_integer() and abs(value) < 1e15 else f"{value:g}"


def or_list(items: Sequence[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def _field_at(model: type[BaseModel] | None, loc: Sequence[Any]) -> tuple[type[BaseModel] | None, FieldInfo | None]:
    """The model that holds ``loc``'s last name, and that name's field (None where the path leaves the models)."""
    parent: type[BaseModel] | None = model
    info: FieldInfo | None = None
    names = [part for part in loc if isinstance(part, str)]
    for i, name in enumerate(names):
        if parent is None or name not in parent.model_fields:
            return (parent if i == len(names) - 1 else None), None
        info = parent.model_fields[name]
        if i < len(names) - 1:
            annotation = info.annotation
            parent = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    return parent, info


def _range(info: FieldInfo | None, ctx: dict[str, Any]) -> str:
    """What a numeric field allows, with both bounds where the model knows them."""
    low = high = None
    for rule in info.metadata if info else ():
        low = getattr(rule, "ge", None) if getattr(rule, "ge", None) is not None else low
        high = getattr(rule, "le", None) if getattr(rule, "le", None) is not None else high
    low = ctx.get("ge", low)
    high = ctx.get("le", high)
    whole = info is not None and info.annotation is int
    if low is not None and high is not None:
        if whole and high - low <= 5:
            return f"must be {or_list([str(v) for v in range(int(low), int(high) + 1)])}"
        return f"must be {'a whole number' if whole else 'a number'} from {number(low)} to {number(high)}"
    if low is not None:
        return f"must be at least {number(low)}"
    if high is not None:
        return f"must be at most {number(high)}"
    gt, lt = ctx.get("gt"), ctx.get("lt")
    return f"must be more than {number(gt)}" if gt is not None else f"must be less than {number(lt)}"


_PLAIN = {
    "int_parsing": "must be a whole number", "int_from_float": "must be a whole number",
    "int_type": "must be a whole number", "float_parsing": "must be a number", "float_type": "must be a number",
    "bool_parsing": "must be true or false", "bool_type": "must be true or false",
    "string_type": "must be text", "missing": "is required but missing",
    "dict_type": "must be a mapping of fields", "model_type": "must be a mapping of fields",
    "list_type": "must be a list", "tuple_type": "must be a list", "finite_number": "must be a finite number",
}


def explain(error: ValidationError, model: type[BaseModel] | None = None) -> Problem:
    """The first problem in a pydantic error, in plain words; ``model`` (the validated class) adds both bounds
    of a range and the allowed names of an unknown field."""
    first = error.errors(include_url=False)[0]
    loc = first.get("loc", ())
    kind = first.get("type", "")
    ctx = first.get("ctx") or {}
    value = first.get("input")
    shown: Any = NO_VALUE if isinstance(value, dict | list | tuple) or kind == "missing" else value
    parent, info = _field_at(model, loc)
    message = first.get("msg", "is invalid")
    if kind == "extra_forbidden":
        allowed = f"; allowed here: {', '.join(parent.model_fields)}" if parent is not None else ""
        problem, shown = f"is not a known field{allowed}", NO_VALUE
    elif kind in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
        problem = _range(info, ctx)
    elif kind == "literal_error":
        problem = f"must be {ctx.get('expected', '')}"
    elif kind == "string_too_long":
        problem = f"must be at most {number(ctx.get('max_length', 0))} characters"
    elif kind == "string_too_short":
        problem = "must not be empty"
    elif kind in ("int_parsing", "float_parsing") and info is not None and any(
            getattr(rule, "ge", None) is not None for rule in info.metadata):
        problem = _range(info, {})  # not a number at all: say which numbers are allowed
    elif kind in _PLAIN:
        problem = _PLAIN[kind]
    else:  # our own validators (value_error, unknown_choice) already speak plainly
        message = message.removeprefix("Value error, ")
        problem = f"{message[0].lower()}{message[1:]}"
    return Problem(dotted(loc), problem, shown, len(error.errors()) - 1)


def describe_validation_error(error: ValidationError, model: type[BaseModel] | None = None) -> tuple[str, str]:
    """The first problem in a pydantic error as (dotted field, plain sentence without its full stop)."""
    p = explain(error, model)
    got = "" if p.value is NO_VALUE else f" (got {shown_value(p.value)})"
    more = more_problems(p.more)
    return p.field, f"{p.problem}{got}" + (f".{more.removesuffix('.')}" if more else "")

"""All eight options side by side: placement, feasibility, score, cost and ratings, with the differences marked."""

from __future__ import annotations

from collections import Counter
from typing import Literal

from pydantic import BaseModel, ConfigDict

from explorer.engine.decision import Decision
from explorer.engine.scoring import rank
from explorer.model.errors import UnknownChoiceError
from explorer.model.formatting import money, months
from explorer.model.vocabulary import SHORT_PLACES, STAGES, option_short, option_words

Tone = Literal["local", "public_cloud", "exchanged", "ok", "bad", "caution", "plain", "r1", "r2", "r3", "r4", "r5"]
FAMILY_LABELS = {
    "data": "data rules", "compliance": "compliance", "air_gapped": "air gap", "latency": "latency",
    "licence": "licence", "capacity": "GPUs", "skills": "skills", "intent": "cloud only",
}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Cell(_Model):
    text: str
    detail: str = ""  # shown on hover
    tone: Tone = "plain"
    differs: bool = False  # differs from the recommended option (or, with none, from the most common value)


class Row(_Model):
    group: str
    label: str
    cells: tuple[Cell, ...]
    help: str = ""

    @property
    def differs(self) -> bool:
        """Not every option has the same value in this row."""
        return len({c.text for c in self.cells}) > 1


class Column(_Model):
    key: str
    scenario: int
    use_case: str
    title: str
    recommended: bool
    runner_up: bool
    feasible: bool


class Comparison(_Model):
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    recommended: str | None
    headline: str

    def row(self, label: str) -> Row:
        for r in self.rows:
            if r.label == label:
                return r
        raise UnknownChoiceError("comparison row", label, [r.label for r in self.rows])


def _mark_differences(texts: list[str], reference: int | None) -> list[bool]:
    base = texts[reference] if reference is not None else Counter(texts).most_common(1)[0][0]
    return [t != base for t in texts]


def _row(group: str, label: str, cells: list[Cell], reference: int | None, help: str = "") -> Row:
    flags = _mark_differences([c.text for c in cells], reference)
    return Row(group=group, label=label, help=help,
               cells=tuple(c.model_copy(update={"differs": f}) for c, f in zip(cells, flags, strict=True)))


def compare(decision: Decision) -> Comparison:
    """The side-by-side table of every scenario × use case of one decision."""
    result, catalog = decision, decision.catalog
    options = result.options
    best = result.recommended.key if result.recommended else None
    runner = result.recommended.runner_up if result.recommended else None
    keys = [o.key for o in options]
    ref = keys.index(best) if best else None
    rules = {r.id: r for r in catalog.rules}
    ranked = {o.key: i + 1 for i, o in enumerate(rank(options))}

    columns = tuple(
        Column(key=o.key, scenario=o.scenario, use_case=o.use_case,
               title=option_short(o.key), recommended=o.key == best, runner_up=o.key == runner,
               feasible=o.feasible)
        for o in options
    )
    rows: list[Row] = []
    for stage in STAGES:
        cells = [
            Cell(text=SHORT_PLACES[o.location(stage)], detail=o.stages[stage].reason, tone=o.location(stage))
            for o in options
        ]
        rows.append(_row("Placement", stage.capitalize(), cells, ref))

    cells = []
    for o in options:
        if o.feasible:
            cells.append(Cell(text="Feasible", detail="No hard rule is broken.", tone="ok"))
        else:
            families = sorted({FAMILY_LABELS[rules[v.rule].family] for v in o.violations})
            cells.append(Cell(text="✕ " + ", ".join(families), tone="bad",
                              detail=" ".join(v.message + "." for v in o.violations)))
    rows.append(_row("Feasibility", "Hard rules", cells, ref, "Ruled out by a hard rule; hover for the reasons."))
    cells = []
    for o in options:
        if o.cautions:
            families = sorted({FAMILY_LABELS[rules[v.rule].family] for v in o.cautions})
            cells.append(Cell(text=f"−{o.penalty:g}: " + ", ".join(families), tone="caution",
                              detail=" ".join(f"{v.message} (−{v.penalty:g})." for v in o.cautions)))
        else:
            cells.append(Cell(text="none", detail="No soft rule applies."))
    rows.append(_row("Feasibility", "Soft penalties", cells, ref, "Points lost to soft rules; hover for details."))

    cells = [
        Cell(text=f"{o.score:.0f}", tone="ok" if o.key == best else "plain",
             detail=(f"Score {o.breakdown}"
                     + (f"; rated as {o.rated_as}" if o.rated_as != o.key else "")))
        for o in options
    ]
    rows.append(_row("Score", "Score /100", cells, ref, "Weighted ratings minus soft penalties: the score the app, "
                     "the report and the CLI show."))
    cells = [Cell(text=f"#{ranked[o.key]}" if o.key in ranked else "—",
                  detail="Rank among the feasible options." if o.key in ranked else "Ruled out.") for o in options]
    rows.append(_row("Score", "Rank", cells, ref))

    if decision.cost is not None:
        cost = decision.cost
        cheapest = min((o.total for o in cost.options if o.feasible), default=None)
        cells = []
        for o in options:
            c = decision.option_cost(o.key)
            assert c is not None
            mark = "" if o.feasible else " ✕"
            tone = "bad" if not o.feasible else ("ok" if c.total == cheapest else "plain")
            cells.append(Cell(text=money(c.total) + mark, tone=tone,
                              detail=(f"Total cost over {months(cost.horizon_months)}"
                                      + ("" if o.feasible else "; ruled out, costed for comparison only") + ".")))
        rows.append(_row("Cost", f"Total, {months(cost.horizon_months)}", cells, ref,
                         "The cost model's total for each option; ✕ marks a ruled-out option."))
        cells = [Cell(text=money(decision.option_cost(o.key).per_million_tokens),  # type: ignore[union-attr]
                      detail="Total cost ÷ generated tokens, per million.") for o in options]
        rows.append(_row("Cost", "Per million tokens", cells, ref))
        cells = [Cell(text=cost.break_even_text(o.key), detail=cost.reference_note) for o in options]
        rows.append(_row("Cost", "Break-even", cells, ref, cost.reference_note))

    for j, c in enumerate(catalog.criteria):
        cells = []
        for o in options:
            r = o.trade_offs.rows[j]
            detail = r.rationale + (" (computed from this assessment's cost model)" if r.computed else "")
            cells.append(Cell(text=r.shown, detail=detail, tone=f"r{round(r.rating)}"))  # type: ignore[arg-type]
        weight = options[0].trade_offs.rows[j].weight
        rows.append(_row("Trade-offs", c.name, cells, ref, f"{c.question} Weight {weight:g}."))

    if best:
        b = options[ref]  # type: ignore[index]
        headline = (f"Recommended: {option_words(b.key)} ({b.score:.0f}/100); "
                    f"{len(ranked)} of {len(options)} options are feasible.")
    else:
        headline = f"No option is feasible; {len(options)} of {len(options)} are ruled out."
    return Comparison(columns=columns, rows=tuple(rows), recommended=best, headline=headline)

"""Score and recommendation: each placed option rated, penalised and ranked; the best feasible one recommended."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from explorer.engine.capacity import Capacity
from explorer.engine.governance import TradeOffs, trade_offs
from explorer.engine.placement import Flow, Placement, StagePlacement, locate
from explorer.engine.rules import rule
from explorer.model.assessment import Assessment
from explorer.model.catalog import Catalog
from explorer.model.formatting import money, percent
from explorer.model.formatting import months as months_text
from explorer.model.rule_schema import Violation
from explorer.model.vocabulary import option_key, option_words, split_key


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class ScoredOption(_Model):
    """One option's placement with its trade-off table, score and reasons."""

    placement: Placement
    trade_offs: TradeOffs
    governance_score: float  # weighted ratings of the resolved placement, 0..100
    penalty: float  # points the soft rules cost
    score: float  # governance_score − penalty, floored at 0 (unrounded; display rounds)
    reasons: tuple[str, ...]

    # The placement's facts, read through (an option is one thing to every view).
    @property
    def scenario(self) -> int:
        return self.placement.scenario

    @property
    def scenario_name(self) -> str:
        return self.placement.scenario_name

    @property
    def use_case(self) -> str:
        return self.placement.use_case

    @property
    def stages(self) -> dict[str, StagePlacement]:
        return self.placement.stages

    @property
    def conflicts(self) -> tuple[str, ...]:
        return self.placement.conflicts

    @property
    def flows(self) -> tuple[Flow, ...]:
        return self.placement.flows

    @property
    def violations(self) -> tuple[Violation, ...]:
        return self.placement.violations

    @property
    def cautions(self) -> tuple[Violation, ...]:
        return self.placement.cautions

    @property
    def rated_as(self) -> str:
        return self.placement.rated_as

    @property
    def feasible(self) -> bool:
        return self.placement.feasible

    @property
    def key(self) -> str:
        return self.placement.key

    def location(self, stage: str) -> str:
        return self.placement.location(stage)

    @property
    def breakdown(self) -> str:
        """How the score is made, as every view says it: ``56/100 = weighted ratings 64.3 − penalties 8``."""
        return f"{self.score:.0f}/100 = weighted ratings {self.governance_score:.1f} − penalties {self.penalty:g}"


class Recommendation(_Model):
    scenario: int
    use_case: str
    reasons: tuple[str, ...]
    runner_up: str | None = None  # option key of the second-best feasible option

    @property
    def key(self) -> str:
        return option_key(self.scenario, self.use_case)


class Relaxation(_Model):
    """Lifting one hard rule, and what that would open."""

    rule: str
    opens: int
    best: str
    message: str


def exact_score(catalog: Catalog, table: TradeOffs) -> float:
    """The weighted mean rating mapped to 0..100, unrounded (ranking uses this; display rounds)."""
    lo, hi = catalog.scale.min, catalog.scale.max
    mean = sum(r.weight * r.rating for r in table.rows) / sum(r.weight for r in table.rows)
    return 100 * (mean - lo) / (hi - lo)


def score_option(
    catalog: Catalog, placement: Placement, weights: Mapping[str, float] | None = None,
    computed: Mapping[str, Any] | None = None,
) -> ScoredOption:
    """Score one placed option: the weighted ratings of the resolved placement, minus the penalties of the
    soft rules it breaks, floored at 0.

    ``computed`` holds the ratings the engine computed from this option's numbers (cost profile, elasticity,
    operational burden); the rest are the seed's ratings of the option that describes the placement.
    """
    rated_scenario, rated_use_case = split_key(placement.rated_as)
    table = trade_offs(catalog, rated_scenario, rated_use_case, weights, computed)
    governance = exact_score(catalog, table)
    penalty = sum(v.penalty for v in placement.cautions)
    top = sorted(table.rows, key=lambda r: (-(r.rating * r.weight), r.criterion))[:2]
    reasons = [f"{r.name} {r.shown}/5: {r.rationale}" for r in top]
    if placement.rated_as != placement.key:
        reasons.append(
            f"It places every stage as option {placement.rated_as} does, and its model's licence is the one "
            f"{placement.rated_as}'s ratings describe, so the seed's ratings of {placement.rated_as} apply."
        )
    reasons += [p.reason for p in placement.stages.values() if p.origin == "constraint"]
    reasons += [f"{v.message} (−{v.penalty:g} points)." for v in placement.cautions]
    return ScoredOption(placement=placement, trade_offs=table, governance_score=governance, penalty=penalty,
                        score=max(governance - penalty, 0.0), reasons=tuple(reasons))


def _rank_key(o: ScoredOption) -> tuple[float, bool, int, bool]:
    """Higher is better: score; on a tie, an option placed as its own scenario says (not one that the
    constraints turned into a copy of another), then the lower scenario number, then use case 1A.
    """
    # Rounded so that float noise never decides a tie (the vectorised chooser in thresholds.py rounds alike).
    return (round(o.score, 9), o.rated_as == o.key, -o.scenario, o.use_case == "1A")


def tie_order(options: Iterable[ScoredOption]) -> list[int]:
    """Indices of ``options`` in tie-break priority (the order :func:`rank` prefers among equal scores)."""
    opts = list(options)
    return sorted(range(len(opts)), key=lambda i: _rank_key(opts[i])[1:], reverse=True)


def rank(options: Iterable[ScoredOption]) -> list[ScoredOption]:
    """Feasible options, best first."""
    return sorted((o for o in options if o.feasible), key=_rank_key, reverse=True)


def cost_comparison(best: str, runner_up: str, costs: Mapping[str, Any], months: int) -> str:
    """How much cheaper or dearer the recommendation is than the runner-up, over the horizon."""
    mine, theirs = costs[best].total, costs[runner_up].total
    if abs(mine - theirs) <= 1e-6 * max(abs(theirs), 1.0):
        return f"It costs the same as {option_words(runner_up)} over {months_text(months)} ({money(mine)})."
    share = abs(mine - theirs) / theirs if theirs > 0 else 1.0
    word = "less" if mine < theirs else "more"
    return (f"It costs {money(mine)} over {months_text(months)}, {percent(share)} {word} than "
            f"{option_words(runner_up)} ({money(theirs)}).")


def _recommend(best: ScoredOption, runner_up: ScoredOption | None, feasible: int,
               costs: Mapping[str, Any] | None = None, months: int = 0, twins: int = 0) -> Recommendation:
    lead = f"Highest score among the {feasible} feasible option{'s' if feasible != 1 else ''}: {best.score:.0f}/100"
    reasons = []
    if runner_up is None:
        reasons.append(f"{lead}; every option the constraints leave open places the stages this way."
                       if twins else f"{lead}; it is the only option the constraints leave open.")
    else:
        if abs(best.score - runner_up.score) < 0.05:
            reasons.append(f"{lead}, tied with {option_words(runner_up.key)}; ties go to an option placed as its "
                           "scenario says, then the lower scenario, then 1A.")
        else:
            reasons.append(f"{lead}, ahead of {option_words(runner_up.key)} at {runner_up.score:.0f}/100.")
        if costs:
            reasons.append(cost_comparison(best.key, runner_up.key, costs, months))
        gains = [
            (mine.weight * (mine.rating - theirs.rating), mine, theirs)
            for mine, theirs in zip(best.trade_offs.rows, runner_up.trade_offs.rows, strict=True)
            if mine.rating != theirs.rating and mine.weight > 0
        ]
        better = sorted((g for g in gains if g[0] > 0), key=lambda g: (-g[0], g[1].criterion))[:3]
        worse = sorted((g for g in gains if g[0] < 0), key=lambda g: (g[0], g[1].criterion))[:2]
        if better:
            reasons.append("Stronger on " + ", ".join(f"{m.name.lower()} ({m.shown} vs {t.shown})"
                                                      for _, m, t in better) + ".")
        if worse:
            reasons.append("Weaker on " + ", ".join(f"{m.name.lower()} ({m.shown} vs {t.shown})"
                                                    for _, m, t in worse) + ".")
    reasons += list(best.reasons)
    return Recommendation(
        scenario=best.scenario,
        use_case=best.use_case,
        reasons=tuple(reasons),
        runner_up=runner_up.key if runner_up else None,
    )


def relaxations(
    catalog: Catalog, a: Assessment, cap: Capacity, options: Sequence[ScoredOption],
    score_all: Callable[[tuple[Placement, ...]], tuple[ScoredOption, ...]],
) -> tuple[Relaxation, ...]:
    """For each hard rule that binds: how many options lifting it alone would make feasible, and the best.

    ``score_all`` scores a set of placements as the pipeline does (it prices them for the computed ratings).
    """
    bound = sorted({v.rule for o in options for v in o.violations})
    out = []
    for rule_id in bound:
        relaxed = score_all(locate(catalog, a, cap, skip=(rule_id,)))
        ranked = rank(relaxed)
        if not ranked:
            continue
        r = rule(catalog, rule_id)
        best = ranked[0]
        out.append(
            Relaxation(
                rule=rule_id,
                opens=len(ranked),
                best=best.key,
                message=(
                    f"{r.relax[0].upper()}{r.relax[1:]}: that alone makes {len(ranked)} option"
                    f"{'s' if len(ranked) != 1 else ''} feasible, the best being {option_words(best.key)} "
                    f"at {best.score:.0f}/100."
                ),
            )
        )
    out.sort(key=lambda x: (-x.opens, x.rule))
    return tuple(out)


def recommend(options: Sequence[ScoredOption], costs: Mapping[str, Any] | None = None,
              months: int = 0) -> Recommendation | None:
    """The best feasible option with its reasons; None when nothing is feasible.

    ``costs`` (option key → its cost) lets the reasons say how much cheaper or dearer it is than the runner-up.
    """
    ranked = rank(options)
    if not ranked:
        return None
    best = ranked[0]
    # The runner-up places the stages differently: an option that places them the same way (1-1B rated as
    # 1-1A) has the same cost and score, and comparing with it says nothing.
    others = [o for o in ranked[1:] if _places(o) != _places(best)]
    twins = len(ranked) - 1 - len(others)
    return _recommend(best, others[0] if others else None, len(ranked), costs, months, twins)


def _places(o: ScoredOption) -> tuple[str, ...]:
    return tuple(o.location(s) for s in sorted(o.stages))


def no_option_message(result: Any) -> str:
    """One sentence for a result with nothing feasible: what to relax first."""
    if result.recommended is not None:
        return ""
    if not result.relax:
        return "No option is feasible, and relaxing any single constraint is not enough; relax several at once."
    return f"No option is feasible. {result.relax[0].message}"

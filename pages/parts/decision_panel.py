"""The decision at a glance: is this option open, what is recommended, and what would flip it."""

from __future__ import annotations

import streamlit as st

from explorer import Decision
from explorer.engine.option_latency import option_latency
from explorer.engine.scoring import no_option_message
from explorer.model.vocabulary import PLACE_PHRASES, option_words
from explorer.render.markdown import literal


def status(decision: Decision) -> None:
    """Is this option open (what rules it out), and what is recommended (why, and what would flip it)."""
    option = decision.chosen
    if option.violations:
        st.error("**This option is ruled out.**  \n" + "  \n".join(f"✕ {v.message}." for v in option.violations),
                 icon=":material/block:")
    else:
        cautions = len(option.cautions)
        more = f", with {cautions} caution{'s' if cautions != 1 else ''} below" if cautions else ""
        st.success(f"**This option is feasible**: score {option.score:.0f}/100{more}.", icon=":material/check_circle:")
    _latency(decision)
    best = decision.recommended
    if best is None:
        st.error(no_option_message(decision), icon=":material/block:")
        for r in decision.relax[1:3]:
            st.caption(r.message)
        return
    here = best.key == option.key
    title = "**Recommended: this option.**" if here else f"**Recommended: {option_words(best.key)}.**"
    st.info(f"{title} {best.reasons[0]}", icon=":material/star:")
    # Lazy: the thresholds (a sweep of many what-ifs) run only while the expander is open.
    why = st.expander("Why, and what would flip it", key="why_flips", on_change="rerun")
    with why:
        st.markdown("\n".join(f"- {r}" for r in best.reasons[1:]))
        if why.open:
            _flips(decision)


def cautions(decision: Decision) -> None:
    """The chosen option's cautions (soft penalties), each with its safeguard and source."""
    option = decision.chosen
    if option.cautions:
        st.warning("**Cautions (soft penalties)**  \n" + "  \n".join(_caution(v) for v in option.cautions),
                   icon=":material/warning:")


def _latency(decision: Decision) -> None:
    """The chosen option's time to first token and per output token under load, beside its targets."""
    option = decision.chosen
    lat = option_latency(decision.capacity, decision.assessment, {s: p.location for s, p in option.stages.items()})
    if lat is not None:
        trip = f" incl. the {lat.round_trip_ms:g} ms round trip" if lat.round_trip_ms else ""
        st.caption(f"Latency ({lat.engine_name}, {PLACE_PHRASES[lat.where]}): time to first token "
                   f"{_ms(lat.ttft_p50_ms, ',.0f')} at the average load, {_ms(lat.ttft_peak_ms, ',.0f')} at the "
                   f"peak{trip} (target {lat.ttft_target_ms:,.0f}); per output token {_ms(lat.tpot_p50_ms, '.1f')} / "
                   f"{_ms(lat.tpot_peak_ms, '.1f')} (target {lat.tpot_target_ms:g}).")


def _ms(value: float | None, spec: str) -> str:
    return "unbounded (the queue grows)" if value is None else f"{value:{spec}} ms"


def _caution(v) -> str:
    """A caution in one line: what it needs, the points it costs, and, for a regulation, its source."""
    line = f"{v.message} (−{v.penalty:g} points)."
    if v.safeguard:
        line += f" Safeguard: {v.safeguard}. *Source: {v.source}.*"
    return line


def _flips(decision: Decision) -> None:
    thresholds = decision.thresholds()
    flips = [t for t in thresholds if t.kind == "recommendation"]
    costs = [t for t in thresholds if t.kind != "recommendation"]
    if flips:
        st.markdown("**What would flip it**  \n" + "\n".join(f"- {t.message}" for t in flips[:6]))
    else:
        st.caption("No single change of the cloud round trip, the TTFT target, the traffic or one weight "
                   "(0 to 5) flips this recommendation.")
    st.markdown("**What would change the cheapest option**")
    st.caption("The score weighs the cost through the cost-profile rating (with elasticity and operational "
               "burden, also computed from the cost model); these thresholds say when the cheapest feasible "
               "option changes, and when the recommendation stops costing less or more than the runner-up.")
    if decision.cost is None:
        st.caption("The cost model cannot price this assessment, so no cost threshold is shown: "
                   + literal(decision.cost_error))
    elif costs:
        st.markdown("\n".join(f"- {t.message}" for t in costs[:6]))
    else:
        st.caption("From 1/100 to 100 times today's traffic, over horizons of 1 to 240 months and at 1/20 "
                   "to 20 times today's GPU prices, the cheapest feasible option stays the same.")

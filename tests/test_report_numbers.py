"""The report against the engine: for every preset and every option, each score and total printed in the PDF
equals the engine's (read back from the PDF's text with pypdf)."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from explorer.engine.decision import decide
from explorer.model.loading import load_assessment
from explorer.model.vocabulary import SCENARIO_IDS, USE_CASE_IDS
from explorer.render.report import build_report

PRESETS = ("regulated-bank", "cloud-first-retailer", "air-gapped-plant", "hipaa-hospital")
OPTIONS = [(s, u) for s in SCENARIO_IDS for u in USE_CASE_IDS]


def _dollars(value: float) -> str:
    return "$" + format(round(value), ",")


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("scenario, use_case", OPTIONS)
def test_every_score_and_total_in_the_report_is_the_engines(catalog, preset, scenario, use_case):
    a = load_assessment(f"preset:{preset}", catalog).model_copy(update={"scenario": scenario, "use_case": use_case})
    d = decide(catalog, a)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(build_report(d))).pages)
    flat = re.sub(r"\s+", " ", text)
    scores = {o.key: round(o.score) for o in d.options}

    # The table of all eight options: feasibility and score per row.
    for o in d.options:
        row = re.search(rf"^{o.scenario} / {o.use_case} .*? (yes|ruled out) (\d+)\b", text, re.M)
        assert row, o.key
        assert row.group(1) == ("yes" if o.feasible else "ruled out")
        assert int(row.group(2)) == scores[o.key], o.key

    # The chosen option's score and how it is made, as the app says it.
    chosen = d.chosen
    assert f"Score of the chosen option: {chosen.breakdown}." in flat

    # The recommendation and its runner-up, by score and by cost.
    rec = d.recommended
    if rec is not None:
        m = re.search(r"Highest score among the (\d+) feasible options?: (\d+)/100", flat)
        assert m and int(m.group(1)) == sum(o.feasible for o in d.options) and int(m.group(2)) == scores[rec.key]
        if rec.runner_up:
            assert f"at {scores[rec.runner_up]}/100" in flat
    # No other score appears: every "N/100" printed is one of the engine's scores.
    printed = {int(x) for x in re.findall(r"\b(\d+)/100\b", flat)}
    assert printed <= set(scores.values()) | {round(r.opens) for r in d.relax}, printed

    # The cost table: total, P10, P50, P90, per million tokens and break-even of every option.
    cost, unc = d.cost, d.uncertainty()
    assert cost is not None
    for o in cost.options:
        cells = [_dollars(o.total), _dollars(unc.p10[o.key]), _dollars(unc.p50[o.key]), _dollars(unc.p90[o.key]),
                 f"${o.per_million_tokens:,.2f}", cost.break_even_text(o.key)]
        line = next(ln for ln in text.splitlines() if ln.startswith(f"S{o.scenario} · {o.use_case}"))
        assert line.endswith(" ".join(cells)), line
        assert ("ruled out" in line) == (not o.feasible), line
    # The chosen option's line items add up to its total.
    assert f"Total {_dollars(d.option_cost().total)}" in flat

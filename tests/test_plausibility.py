"""Plausibility: far-out inputs are accepted and flagged in one sentence each; plausible ones are not."""

from __future__ import annotations

from explorer.engine.decision import decide
from explorer.model.loading import parse_assessment


def test_an_absurd_gpu_price_is_flagged_with_its_ratio(catalog):
    a = parse_assessment({"prices": {"aws:h100-sxm:on_demand": 999_999}}, catalog=catalog)
    d = decide(catalog, a)
    # The catalog prices an H100 hour at $6.88: 999,999 / 6.88 = 145,349×.
    (w,) = d.warnings
    assert w == ("$999,999 per GPU-hour for 'h100-sxm GPU-hour, on demand (p5.48xlarge, 8 GPUs)' is 145,349× "
                 "the catalog's $6.88 per GPU-hour: check the number and its unit.")
    assert d.cost is not None  # accepted: the cost model still prices it


def test_a_price_far_below_the_catalog_is_flagged(catalog):
    a = parse_assessment({"prices": {"onprem:staff_fte_year": 1000}}, catalog=catalog)
    (w,) = decide(catalog, a).warnings
    assert "is 1/200 of the catalog's $200,000 per FTE-year" in w  # 200,000 / 1,000


def test_plausible_inputs_say_nothing(catalog):
    a = parse_assessment({"prices": {"aws:h100-sxm:on_demand": 9.5}}, catalog=catalog)
    assert decide(catalog, a).warnings == ()
    for preset in catalog.presets:
        assert decide(catalog, parse_assessment(preset.assessment, catalog=catalog)).warnings == ()


def test_traffic_dataset_and_context(catalog):
    a = parse_assessment({"workload": {"requests_per_day": 5e9, "dataset_tokens": 1e14, "input_tokens": 200_000}},
                         catalog=catalog)
    warnings = decide(catalog, a).warnings
    assert warnings[0] == ("5.0 billion requests per day is 50× the 100.0 million a day the catalog takes as the "
                           "most one enterprise deployment plausibly serves.")
    assert warnings[1].startswith("A fine-tuning set of 100.0 trillion tokens is larger than a whole pre-training")
    assert warnings[2] == ("200,000 input plus 300 output tokens per request exceed Llama 3.1 70B Instruct's "
                           "context of 131,072 tokens.") or "context of 131,072 tokens" in warnings[2]


def test_the_app_shows_the_warning_and_keeps_working():
    from screen import shown
    from test_pages import app

    at = app({"prices.aws:h100-sxm:on_demand": "999999"})
    assert not at.exception
    assert any("145,349× the catalog's $6.88 per GPU-hour" in shown(w.value) for w in at.warning)


def test_a_vanishing_price_is_one_sentence(catalog):
    from explorer.engine.plausibility import price_warning

    assert price_warning(catalog, "aws:h100-sxm:on_demand", 5e-324).endswith(
        "is less than a millionth of the catalog's $6.88 per GPU-hour: check the number and its unit.")

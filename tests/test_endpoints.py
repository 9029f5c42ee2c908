"""Per-token managed endpoints beside dedicated GPUs: the catalog, the cost of both modes, the choice and the
traffic at which they cross — each against a hand calculation."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml

from explorer.engine.cloud_serving import billing_unit
from explorer.engine.pipeline import cost_of as evaluate
from explorer.engine.thresholds import decision_thresholds
from explorer.engine.uncertainty import uncertainty
from explorer.model.catalog import load_catalog
from explorer.model.errors import CatalogError
from explorer.model.loading import parse_assessment

HOURS = 30.4375 * 24  # 730.5 hours in an average month
DAYS = 30.4375
# The cost tests' simple case (tests/test_cost.py), with the foundation model served as published: Llama 3.1 8B,
# 86,400 requests/day (1 request/s, peak factor 1), 800 tokens in and 300 out, AWS, 12 months, flat prices.
SIMPLE = {
    "scenario": 2, "use_case": "1B", "horizon_months": 12,
    "workload": {"model": "llama-3.1-8b", "finetune_method": "none", "requests_per_day": 86_400,
                 "input_tokens": 800, "output_tokens": 300, "tpot_target_ms": 1000, "peak_factor": 1},
    "constraints": {"data_classification": "internal", "residency": "none", "cloud_provider": "aws",
                    "compliance": []},
    "finance": {"residual_value": 0, "cloud_price_decline": 0},
}
# Amazon Bedrock's Llama 3.1 8B: $0.22 per million input and output tokens (data/endpoint_prices.yaml).
TOKEN_MONTH = 86_400 * DAYS * (800 * 0.22 + 300 * 0.22) / 1e6  # = $636.41 a month
# One replica of one H100 serves the 1 request/s, but AWS rents H100s only as p5.48xlarge: 8 GPUs all month.
DEDICATED_MONTH = 8 * HOURS * 6.88  # = $40,206.72 a month


def simple(**workload) -> object:
    return parse_assessment({**SIMPLE, "workload": {**SIMPLE["workload"], **workload}})


def test_the_catalog_prices_each_open_model_with_a_source(catalog):
    offered = {(s.provider, m.model): m for s in catalog.cloud_serving.endpoints for m in s.models}
    assert offered[("aws", "llama-3.1-70b")].input == 0.72
    assert offered[("azure", "llama-3.1-405b")].output == 16.00
    assert ("gcp", "llama-3.1-8b") not in offered  # a free preview only: no production price
    for s in catalog.cloud_serving.endpoints:
        assert s.lora_source and s.lora_note.endswith(".")
        for m in s.models:
            assert m.source and m.as_of.year >= 2024
    # Every per-token price is an overridable price item.
    item = catalog.price_items["endpoint:aws:llama-3.1-8b:input"]
    assert (item.value, item.unit) == (0.22, "USD per million tokens")


def test_both_modes_by_hand_and_auto_picks_the_cheaper():
    r = evaluate(load_catalog(), simple())
    o = r.option(2, "1B")
    assert pytest.approx(636.41, abs=0.01) == TOKEN_MONTH
    assert o.serving_mode == "per_token"
    assert o.line_items["cloud_serving"] == pytest.approx(12 * TOKEN_MONTH)
    assert o.cloud_serving_per_token == pytest.approx(12 * TOKEN_MONTH)
    assert o.cloud_serving_dedicated == pytest.approx(12 * DEDICATED_MONTH)
    assert (o.cloud_serving_gpus, o.cloud_gpus_average, o.cloud_utilisation) == (0, 0.0, None)
    assert o.gpu_hours_cloud == 0  # no GPU is rented for serving (and nothing is trained)
    # Options that serve on premises have no cloud serving mode.
    assert r.option(3, "1A").serving_mode is None and r.option(3, "1A").cloud_serving_per_token is None


def test_asking_for_a_mode_costs_that_mode():
    dedicated = evaluate(load_catalog(), simple(cloud_serving="dedicated")).option(2, "1B")
    assert dedicated.serving_mode == "dedicated"
    assert dedicated.line_items["cloud_serving"] == pytest.approx(12 * DEDICATED_MONTH)
    assert (dedicated.cloud_serving_gpus, dedicated.cloud_gpus_average) == (8, 8.0)
    tokens = evaluate(load_catalog(), simple(cloud_serving="per_token", requests_per_day=10_000_000)).option(2, "1B")
    assert tokens.serving_mode == "per_token"  # asked for, although dedicated GPUs cost less at 10M/day
    assert tokens.line_items["cloud_serving"] == pytest.approx(12 * 10_000_000 * DAYS * 242 / 1e6)
    assert tokens.cloud_serving_dedicated < tokens.cloud_serving_per_token


def test_crossover_by_hand():
    r = evaluate(load_catalog(), simple())
    # Below 8 replicas (8 × 20.0 requests/s) the dedicated bill is one p5.48xlarge: $40,206.72 a month. The
    # endpoint costs 30.4375 × 242 / 1e6 = $0.007365875 a month per request/day; they meet at
    # 40,206.72 / 0.007365875 = 5,458,513 requests/day (63.2 requests/s: 4 replicas, within the instance).
    per_request_day = DAYS * (800 * 0.22 + 300 * 0.22) / 1e6
    assert r.crossover_requests_per_day == pytest.approx(DEDICATED_MONTH / per_request_day, rel=1e-5)
    assert r.crossover_requests_per_day == pytest.approx(5_458_513, rel=1e-5)
    assert r.endpoint == "Amazon Bedrock on-demand"
    assert r.serving_choice == ("At 86,400 requests/day, Amazon Bedrock on-demand costs $636.41 a month and "
                                "dedicated GPUs $40k: a per-token endpoint is cheaper; they cross at 5.46 M "
                                "requests/day (per-token below, dedicated above).")
    # Just below and just above, the cheaper mode flips.
    below = evaluate(load_catalog(), simple(requests_per_day=5_450_000)).option(2, "1B")
    above = evaluate(load_catalog(), simple(requests_per_day=5_470_000)).option(2, "1B")
    assert (below.serving_mode, above.serving_mode) == ("per_token", "dedicated")


def test_crossover_is_a_decision_threshold(catalog):
    a = simple()
    r = evaluate(catalog, a)
    (t,) = [t for t in decision_thresholds(catalog, a) if t.kind == "serving_mode"]
    assert (t.input, t.direction, t.before, t.after) == ("workload.requests_per_day", "above", "per_token",
                                                        "dedicated")
    assert t.value == r.crossover_requests_per_day  # computed once, by the cost model
    assert t.message == ("Above 5.46 M requests/day, dedicated GPUs serve the model in the cloud more cheaply "
                         "than Amazon Bedrock on-demand.")


def test_no_crossover_when_the_endpoint_stays_cheaper():
    # Llama 3.1 70B on Bedrock at $0.72: a 4-GPU replica serves 8.53 requests/s, so dedicated H100s cost at
    # least 4 × 6.88 / (8.53 × 3,600) = $0.000896 a request against 1,100 × 0.72 / 1e6 = $0.000792 per token.
    r = evaluate(load_catalog(), simple(model="llama-3.1-70b", tpot_target_ms=60, requests_per_day=10_000_000))
    assert 4 * 6.88 / (r.serving_cloud.requests_per_second_per_replica * 3600) > 1100 * 0.72 / 1e6
    assert r.crossover_requests_per_day is None
    assert r.option(2, "1B").serving_mode == "per_token"
    assert r.serving_choice.endswith("a per-token endpoint is cheaper at every traffic up to 10 billion "
                                     "requests/day.")


def test_unavailable_endpoint_is_one_sentence_and_dedicated_is_costed():
    cat = load_catalog()
    lora = evaluate(cat, simple(finetune_method="lora"))
    assert lora.option(2, "1B").serving_mode == "dedicated"
    assert lora.option(2, "1B").cloud_serving_per_token is None and lora.crossover_requests_per_day is None
    (note,) = [n for n in lora.notes if "per token" in n]
    assert note.startswith("Amazon Bedrock on-demand serves Llama 3.1 8B per token but not your LoRA fine-tune "
                           "at that price (Amazon Bedrock serves fine-tuned (custom) models only through "
                           "Provisioned Throughput")
    assert note.endswith("so cloud serving is costed on dedicated GPUs.") and note.count(". ") == 0
    azure = parse_assessment({**SIMPLE, "workload": {**SIMPLE["workload"], "model": "mistral-7b"},
                              "constraints": {**SIMPLE["constraints"], "cloud_provider": "azure"},
                              "costing": {"gpu": "a100-80gb"}})
    r = evaluate(cat, azure)
    assert "Microsoft Azure offers no per-token endpoint for Mistral 7B, so its cloud serving is costed on " \
           "dedicated GPUs only." in r.notes
    # Asking for per-token serving where there is none: dedicated, and the same sentence says why.
    asked = evaluate(cat, simple(finetune_method="lora", cloud_serving="per_token"))
    assert asked.option(2, "1B").serving_mode == "dedicated" and note in asked.notes
    # Asking for dedicated GPUs: nothing to explain.
    assert not [n for n in evaluate(cat, simple(finetune_method="lora", cloud_serving="dedicated")).notes
                if "per token" in n]


def test_price_overrides_reach_the_endpoint():
    a = simple()
    a = a.model_copy(update={"prices": {"endpoint:aws:llama-3.1-8b:output": 1.0}})
    o = evaluate(load_catalog(), a).option(2, "1B")
    assert o.line_items["cloud_serving"] == pytest.approx(12 * 86_400 * DAYS * (800 * 0.22 + 300 * 1.0) / 1e6)


def test_sampled_runs_cost_the_mode_per_sample(catalog):
    a = simple()
    u = uncertainty(catalog, a, samples=500, bands=False)
    o = evaluate(catalog, a).option(2, "1B")
    # The endpoint is far cheaper than a whole instance in every sample: the bands stay near the point total.
    assert u.p10["2-1B"] <= o.total * 1.01 and u.p90["2-1B"] >= o.total * 0.99


def test_cost_json_gains_serving_mode(tmp_path, capsys):
    from explorer.cli import main

    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(SIMPLE))
    assert main(["cost", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    modes = {f"{o['scenario']}-{o['use_case']}": o["serving_mode"] for o in data["options"]}
    assert modes["2-1B"] == "per_token" and modes["3-1A"] is None
    assert data["crossover_requests_per_day"] == pytest.approx(5_458_513, rel=1e-5)
    assert data["endpoint"] == "Amazon Bedrock on-demand"


@pytest.mark.parametrize(("sizes", "tp", "unit"), [((8,), 1, 8), ((8,), 4, 8), ((8,), 16, 16), ((1, 4, 8), 2, 4),
                                                   ((1, 2), 4, 4), ((1, 2, 4, 8), 1, 1)])
def test_billing_unit(catalog, sizes, tp, unit):
    base = catalog.providers[0].gpus[0]
    price = base.model_copy(update={"sizes": sizes, "gpus_per_instance": sizes[0]})
    assert billing_unit(price, tp) == unit


def test_endpoint_catalog_errors_name_the_field(data_copy):
    path = data_copy / "endpoint_prices.yaml"
    text = path.read_text()
    path.write_text(text.replace("model: llama-3.1-8b", "model: llama-9", 1))
    with pytest.raises(CatalogError, match="names unknown model 'llama-9'; choose from: llama-3.1-8b") as err:
        load_catalog(data_copy)
    assert "services[0].models[0].model" in str(err.value)
    path.write_text(text.replace("provider: azure", "provider: aws", 1))
    with pytest.raises(CatalogError, match="lists provider 'aws' twice"):
        load_catalog(data_copy)
    path.write_text(text.replace("provider: gcp", "provider: oracle", 1))
    with pytest.raises(CatalogError, match="names unknown provider 'oracle'; choose from: aws, azure, gcp, ibm"):
        load_catalog(data_copy)


def test_profile_and_sizes_are_validated(data_copy):
    path = data_copy / "autoscaling.yaml"
    raw = yaml.safe_load(path.read_text())
    raw["profile"]["hourly"] = raw["profile"]["hourly"][:23]
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(CatalogError, match="hourly must hold 24 values, one per hour, not 23"):
        load_catalog(data_copy)
    path.write_text(yaml.safe_dump({**raw, "profile": {**raw["profile"], "hourly": [1.0] * 24}}))
    prices = data_copy / "cloud_prices.yaml"
    prices.write_text(prices.read_text().replace("sizes: [8]", "sizes: [4]", 1))
    with pytest.raises(CatalogError, match=r"gpus_per_instance 8 must be one of the sizes \[4\]"):
        load_catalog(data_copy)


def test_aws_h200_is_priced_from_an_on_demand_instance(catalog):
    (aws,) = [p for p in catalog.providers if p.id == "aws"]
    (h200,) = [g for g in aws.gpus if g.gpu == "h200"]
    assert (h200.family, h200.instance, h200.gpus_per_instance) == ("p5en", "p5en.48xlarge", 8)
    assert h200.committed == pytest.approx(round(7.91 * 0.65, 2))  # a 1-year plan, not a Capacity Block rate
    assert "Capacity Block" in h200.source
    # Every price names its instance family and its GPUs per instance as fields.
    for p in catalog.providers:
        for g in p.gpus:
            assert g.family and g.gpus_per_instance in g.sizes and np.all(np.diff(g.sizes) > 0)

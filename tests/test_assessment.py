"""The assessment: schema v1 defaults, loading from files, presets and the URL, and clear errors."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.model.assessment import Assessment
from explorer.model.catalog import load_catalog
from explorer.model.errors import AssessmentError, UnknownChoiceError
from explorer.model.link import from_query, to_query
from explorer.model.loading import load_assessment, parse_assessment, parse_assessment_text


def test_empty_mapping_is_the_design_default():
    a = parse_assessment({})
    assert a.schema_version == 1
    assert (a.scenario, a.use_case, a.horizon_months) == (1, "1A", 36)
    assert a.workload.model == "llama-3.1-70b" and a.workload.finetune_method == "lora"
    assert a.workload.dataset_tokens == 2.0e9 and a.workload.requests_per_day == 50_000
    assert a.constraints.compliance == ("gdpr",) and a.constraints.cloud_provider == "aws"
    assert a.constraints.owned_gpus.gpu == "h100-sxm" and a.constraints.owned_gpus.count == 0
    assert a.prices == {}


def test_design_example_file_loads(tmp_path):
    text = """
schema_version: 1
customer: "Acme Bank"
scenario: 3
use_case: 1A
horizon_months: 36
workload: {model: llama-3.1-70b, finetune_method: lora, dataset_tokens: 2.0e9, epochs: 2,
           retrain_every_months: 3, requests_per_day: 50000, input_tokens: 800, output_tokens: 300,
           ttft_target_ms: 1500, tpot_target_ms: 60, peak_factor: 3}
constraints: {data_classification: confidential, residency: in_country, compliance: [gdpr], air_gapped: false,
              model_licence: open, owned_gpus: {gpu: h100-sxm, count: 0}, procurement_weeks: 16,
              cloud_rtt_ms: 30, cloud_provider: aws}
prices: {}
"""
    path = tmp_path / "a.yaml"
    path.write_text(text)
    a = load_assessment(path)
    assert a.customer == "Acme Bank" and a.scenario == 3


def test_yaml_and_json_round_trip(tmp_path):
    a = load_assessment("preset:regulated-bank")
    (tmp_path / "a.yaml").write_text(a.to_yaml())
    (tmp_path / "a.json").write_text(a.to_json())
    assert load_assessment(tmp_path / "a.yaml") == a
    assert load_assessment(tmp_path / "a.json") == a
    assert json.loads(a.to_json())["constraints"]["compliance"] == ["gdpr", "pci_dss"]


@pytest.mark.parametrize(("raw", "field", "fragment"), [
    ({"scenario": 9}, "scenario", ": must be 1, 2, 3 or 4 (got 9)."),
    ({"use_case": "2C"}, "use_case", ": must be '1A' or '1B' (got '2C')."),
    ({"horizon_months": 0}, "horizon_months", ": must be a whole number from 1 to 240 (got 0)."),
    ({"horizon_months": 241}, "horizon_months", "from 1 to 240 (got 241)."),
    ({"workload": {"requests_per_day": -5}}, "workload.requests_per_day",
     ": must be a number from 0 to 10,000,000,000 (got -5)."),
    ({"workload": {"dataset_tokens": float("inf")}}, "workload.dataset_tokens", "must be a finite number (got inf)"),
    ({"workload": {"finetune_method": "dora"}}, "workload.finetune_method", "'none', 'full', 'lora' or 'qlora'"),
    ({"constraints": {"compliance": ["sox"]}}, "constraints.compliance[0]",
     "is not a known compliance regime; choose from: gdpr, hipaa, pci_dss, eu_ai_act_high_risk (got 'sox')"),
    ({"constraints": {"cloud_provider": "oracle"}}, "constraints.cloud_provider", "'aws', 'azure', 'gcp' or 'ibm'"),
    ({"colour": "red"}, "colour",
     ": is not a known field; allowed here: schema_version, customer, scenario, use_case, "),
    ({"workload": {"speed": 1}}, "workload.speed", "is not a known field; allowed here: model, finetune_method, "),
    ({"schema_version": 2}, "schema_version", ": must be 1 (got 2)."),
    ({"prices": {"x": -1}}, "prices.x", ": must be at least 0 (got -1)."),
    ({"customer": "x" * 201}, "customer", "at most 200 characters"),
])
def test_bad_values_name_the_field_and_range(raw, field, fragment):
    with pytest.raises(AssessmentError) as err:
        parse_assessment(raw, "upload.yaml")
    message = str(err.value)
    assert message.startswith(f"Assessment upload.yaml, field '{field}': ")
    assert fragment in message


def test_unknown_catalog_ids_list_the_choices():
    with pytest.raises(AssessmentError, match=r"field 'workload.model': is not in the catalog; choose from: "
                                              r"llama-3.1-8b, llama-3.1-70b, .* \(got 'gpt-5'\)\.$"):
        parse_assessment({"workload": {"model": "gpt-5"}})
    with pytest.raises(AssessmentError,
                       match=r"field 'constraints.owned_gpus.gpu': is not in the catalog; .* \(got 'tpu-v5'\)\.$"):
        parse_assessment({"constraints": {"owned_gpus": {"gpu": "tpu-v5"}}})


def test_not_a_mapping():
    with pytest.raises(AssessmentError, match="Assessment a.yaml: must be a mapping of fields, not list"):
        parse_assessment_text("- 1\n- 2\n", "a.yaml")


def test_invalid_yaml():
    with pytest.raises(AssessmentError, match="Assessment a.yaml: is not valid YAML or JSON at line 2"):
        parse_assessment_text("scenario: [3\n", "a.yaml")


def test_empty_text_is_default():
    assert parse_assessment_text("  \n", "a.yaml") == Assessment()


def test_missing_file(tmp_path):
    with pytest.raises(AssessmentError, match="the file does not exist"):
        load_assessment(tmp_path / "none.yaml")


def test_binary_file(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(AssessmentError, match=r"cannot be read \(UnicodeDecodeError\)"):
        load_assessment(path)


def test_unknown_preset():
    with pytest.raises(UnknownChoiceError, match='"bank" is not a valid preset. Choose from: regulated-bank'):
        load_assessment("preset:bank")


def test_every_preset_loads(catalog):
    assert len(catalog.presets) >= 4
    for p in catalog.presets:
        a = load_assessment(f"preset:{p.id}")
        assert a.customer


def test_control_characters_are_stripped_from_customer():
    # Control characters go; a line break or a tab becomes a space, and runs of space become one: words are
    # never glued together.
    assert parse_assessment({"customer": " Acme\x00\x1b[31m Bank\n "}).customer == "Acme[31m Bank"
    assert parse_assessment({"customer": "First Line Bank\nSecond Line Ltd"}).customer == (
        "First Line Bank Second Line Ltd")
    assert parse_assessment({"customer": "A\r\n\tB"}).customer == "A B"


def test_query_minimum_carries_scenario_and_use_case():
    assert to_query(Assessment()) == {"scenario": "1", "use_case": "1A"}
    a = from_query({"scenario": "3", "use_case": "1A"})
    assert (a.scenario, a.use_case) == (3, "1A")


@pytest.mark.parametrize(("query", "message"), [
    ({"scenario": "9"}, "Assessment URL query, field 'scenario': must be 1, 2, 3 or 4 (got '9')."),
    ({"scenario": "three"}, "field 'scenario': must be 1, 2, 3 or 4 (got 'three')."),
    ({"use_case": "1C"}, "field 'use_case': must be '1A' or '1B' (got '1C')."),
    ({"constraints.air_gapped": "maybe"}, "field 'constraints.air_gapped': must be true or false (got 'maybe')."),
    ({"workload.requests_per_day": "lots"},
     "field 'workload.requests_per_day': must be a number from 0 to 10,000,000,000 (got 'lots')."),
    ({"foo": "1"}, "field 'foo': is not a known key; allowed keys: customer, horizon_months, scenario, use_case, "),
    ({"workload..model": "x"}, "field 'workload..model': is not a known key; allowed keys: "),
    ({"scenario.x": "1"}, "field 'scenario.x': is not a known key; allowed keys: "),
    ({"constraints.compliance": "gdpr,sox"}, "field 'constraints.compliance[1]'"),
])
def test_bad_queries_name_the_parameter(query, message):
    with pytest.raises(AssessmentError) as err:
        from_query(query)
    assert message in str(err.value)


def test_query_ignores_ui_keys():
    assert from_query({"scenario": "2", "w.privacy": "3", "page": "x"}).scenario == 2


def test_query_takes_last_of_repeated_values():
    assert from_query({"scenario": ["1", "4"]}).scenario == 4


_assessments = st.builds(
    lambda scenario, use_case, horizon, rpd, tokens, customer, air, comp, provider, gpus, prices: parse_assessment({
        "scenario": scenario, "use_case": use_case, "horizon_months": horizon, "customer": customer,
        "workload": {"requests_per_day": rpd, "input_tokens": tokens},
        "constraints": {"air_gapped": air, "compliance": comp, "cloud_provider": provider,
                        "owned_gpus": {"gpu": "l4", "count": gpus}},
        "prices": prices,
    }),
    st.integers(1, 4), st.sampled_from(["1A", "1B"]), st.integers(1, 240),
    st.floats(0, 1e10, allow_nan=False), st.integers(0, 1_000_000),
    st.text(max_size=60).filter(lambda t: " ".join(t.split()) == t and t.isprintable()),
    st.booleans(), st.lists(st.sampled_from(["gdpr", "hipaa", "pci_dss", "eu_ai_act_high_risk"]), unique=True),
    st.sampled_from(["aws", "azure", "gcp", "ibm"]), st.integers(0, 100_000),
    st.lists(st.sampled_from(list(load_catalog().price_items.values())), max_size=3, unique_by=lambda p: p.key)
    .flatmap(lambda items: st.fixed_dictionaries(
        {p.key: st.floats(p.min, p.max, allow_nan=False, allow_infinity=False) for p in items})),
)


@settings(max_examples=150, deadline=None)
@given(_assessments)
def test_any_assessment_round_trips_through_the_url(a):
    assert from_query(to_query(a)) == a


@pytest.mark.parametrize(("raw", "present", "problem"), [
    ({}, False, ""),
    ({"present": "1"}, True, ""),
    ({"present": ["0", "1"]}, True, ""),  # the last of a repeated key counts, as for every other key
    ({"present": "true"}, True, ""),
    ({"present": "0"}, False, ""),
    ({"present": "maybe"}, False, "Presenter mode in the shared link must be 1 (on) or 0 (off), but the link says "
                                  "maybe; showing the normal view."),
])
def test_presenter_mode_is_view_state_in_the_link(catalog, raw, present, problem):
    from explorer.model.link import assessment_from_link, link_query, present_from_link

    assert present_from_link(raw) == (present, problem)
    assessment, notice = assessment_from_link({"scenario": "2", **raw}, catalog)
    assert (assessment.scenario, notice) == (2, "")  # not an assessment field, and never refused as one
    query = link_query(assessment, {}, catalog, present=present)
    assert query.get("present") == ("1" if present else None)
    assert present_from_link(query) == (present, "")  # round trip


def test_a_bad_link_value_is_one_plain_sentence(catalog):
    from explorer.model.link import assessment_from_link

    _, notice = assessment_from_link({"scenario": "9", "use_case": "1B"}, catalog)
    assert notice == ("The shared link could not be used as it is. Scenario must be 1, 2, 3 or 4 (the link says 9). "
                      "Ignored 'scenario'; the rest is kept.")
    _, notice = assessment_from_link({"colour": "red"}, catalog)
    assert notice.startswith("The shared link could not be used as it is. The link's key 'colour' is not a known "
                             "key; allowed keys: customer, horizon_months, scenario, use_case, ")
    assert notice.endswith(", prices.<price key>, w.<criterion>, present. Ignored 'colour'; the rest is kept.")

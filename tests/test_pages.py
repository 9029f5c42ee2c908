"""Every page driven with Streamlit's AppTest: smoke tests, interactions by widget key, bad links."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from screen import shown
from streamlit.testing.v1 import AppTest

from tests.conftest import open_sidebar

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 60


def app(query: dict[str, str] | None = None, page: str | None = None) -> AppTest:
    at = open_sidebar(AppTest.from_file(APP, default_timeout=TIMEOUT))
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


def q(at: AppTest, key: str) -> str:
    """One URL query value as the browser would show it."""
    value = at.query_params[key]
    return value[-1] if isinstance(value, list) else value


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [t.value for t in at.title] + [h.value for h in at.subheader]
    parts += [c.value for c in at.caption] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def test_explorer_smoke():
    at = app()
    assert not at.exception
    assert not at.error
    assert at.title[0].value == "Deployment Scenario Explorer"
    assert at.selectbox(key="scenario").value == 1
    assert at.segmented_control(key="use_case").value == "1A"
    assert len(at.table) == 2  # placement and boundary flows
    # Every rating's rationale is on the page as text (the trade-off table wraps it; nothing is left to hovering).
    (trade_offs,) = [h.proto.body for h in at.get("html") if 'class="tot"' in h.proto.body]
    assert "Why (hover)" not in trade_offs and "text-overflow" not in trade_offs
    assert "<th>Why</th>" in trade_offs and "white-space:normal" in trade_offs
    # The diagram tabs are lazy: the one in sight is drawn, the other when it is opened.
    (architecture,) = at.get("image")
    at.session_state["diagram_tab"] = "C4 context"
    at.run()
    assert not at.exception
    (c4,) = at.get("image")
    assert c4.proto.imgs[0].url != architecture.proto.imgs[0].url  # architecture, then C4 context
    assert q(at, "scenario") == "1" and q(at, "use_case") == "1A"


def test_shared_link_opens_that_view():
    at = app({"scenario": "3", "use_case": "1A"})
    assert not at.exception and not at.error
    assert at.selectbox(key="scenario").value == 3
    assert "Scenario 3: Local Training and Serving." in texts(at)
    assert "Use case 1A would run training in the public cloud; scenario 3 fixes it on premises" in texts(at)
    placement = at.table[0].value
    assert list(placement["Runs"]) == ["On premises"] * 4


def test_changing_scenario_and_use_case_recomputes_and_updates_the_url():
    at = app()
    at.selectbox(key="scenario").set_value(4).run()
    at.segmented_control(key="use_case").set_value("1B").run()
    assert not at.exception
    assert list(at.table[0].value["Runs"]) == ["Public cloud", "Public cloud", "On premises",
                                               "Exchanged between both"]
    assert q(at, "scenario") == "4" and q(at, "use_case") == "1B"
    assert "Use case 1B would run inference in the public cloud" in texts(at)


def test_constraint_widget_moves_an_open_stage():
    at = app({"scenario": "1", "use_case": "1A"})
    at.selectbox(key="data_classification").set_value("regulated").run()
    # Regulated data alone never rules out the cloud: training stays there, with the GDPR safeguard as a caution.
    runs = at.table[0].value
    assert runs.loc["Training", "Runs"] == "Public cloud"
    assert any("data processing agreement (DPA) under GDPR Art. 28" in w.value for w in at.warning)
    # The customer's policy keeping regulated data home moves it on premises.
    at.multiselect(key="cloud_allowed_classes").set_value(["public", "internal", "confidential"]).run()
    runs = at.table[0].value
    assert runs.loc["Training", "Runs"] == "On premises"
    assert "the customer's policy keeps this class of data out of the public cloud" in runs.loc["Training", "Why"]
    assert q(at, "constraints.data_classification") == "regulated"
    assert q(at, "constraints.cloud_allowed_classes") == "public,internal,confidential"


def test_customer_name_goes_into_the_link_and_the_diagram_title():
    at = app()
    at.text_input(key="customer").input("Acme <b>Bank</b>").run()
    assert not at.exception
    assert q(at, "customer") == "Acme <b>Bank</b>"


def test_whole_assessment_round_trips_through_the_link():
    query = {"scenario": "2", "use_case": "1B", "customer": "Northwind", "workload.model": "mistral-7b",
             "constraints.cloud_provider": "gcp", "constraints.compliance": "gdpr,hipaa", "horizon_months": "48"}
    at = app(query)
    assert not at.exception and not at.error
    assert at.selectbox(key="model").value == "mistral-7b"
    assert at.multiselect(key="compliance").value == ["gdpr", "hipaa"]
    assert {k: q(at, k) for k in at.query_params} == query


def test_choosing_a_preset_loads_it():
    at = app()
    at.selectbox(key="preset").set_value("air-gapped-plant").run()  # choosing a preset loads it
    assert not at.exception
    assert at.text_input(key="customer").value == "Contoso Steelworks"
    assert at.toggle(key="air_gapped").value is True
    assert q(at, "constraints.air_gapped") == "true"


@pytest.mark.parametrize(("query", "fragment"), [
    ({"scenario": "9"}, "The shared link could not be used as it is. Scenario must be 1, 2, 3 or 4 (the link says 9)."),
    ({"scenario": "2", "use_case": "2C"}, "Use case must be '1A' or '1B' (the link says 2C)."),
    ({"scenario": "abc"}, "Scenario must be 1, 2, 3 or 4 (the link says abc)."),
    ({"scenario": "3", "workload.requests_per_day": "-1"},
     "Requests per day (workload.requests_per_day) must be a number from 0 to 10,000,000,000 (the link says -1)."),
    ({"nonsense": "1"}, "The link's key 'nonsense' is not a known key; allowed keys: customer, horizon_months, "
                        "scenario, use_case, constraints.air_gapped,"),
    ({"workload.model": "gpt-9"}, "Model (workload.model) is not in the catalog; choose from: llama-3.1-8b, "),
])
def test_bad_links_fall_back_with_one_message(query, fragment):
    at = app(query)
    assert not at.exception
    notices = [shown(w.value) for w in at.warning if "shared link" in w.value]
    assert len(notices) == 1
    assert fragment in notices[0]
    # The bad field is named and dropped; whatever else the link says is kept.
    assert notices[0].endswith("; the rest is kept.") or notices[0].endswith("Showing the default view.")
    assert len(at.get("image")) == 1  # the app keeps working: the diagram in sight (tabs are lazy) is drawn


def test_bad_link_keeps_the_valid_part():
    at = app({"scenario": "2", "use_case": "2C"})
    assert at.selectbox(key="scenario").value == 2
    assert at.segmented_control(key="use_case").value == "1A"


def test_reference_page_smoke_and_interaction():
    at = app(page="pages/reference.py")
    assert not at.exception and not at.error
    assert at.title[0].value == "Reference"
    table2 = at.table[0].value
    assert list(table2["Description"]) == ["Local Serving with Local Inference",
                                           "Training in Public Cloud with Foundational Model",
                                           "Local Training and Serving", "Serving in Public Cloud with Local Inference"]
    assert list(at.table[1].value.index)[2] == "Drift Detection"
    assert "Choosing a Public Cloud Vendor" in texts(at)
    at.segmented_control(key="reference_use_case").set_value("1B").run()
    assert "Generative AI Application in the Cloud" in texts(at)
    seq = at.dataframe[0].value
    assert list(seq["To"])[3] == "OpenShift / Vendor Platform"
    (image,) = at.get("image")
    assert image.proto.imgs[0].alt.startswith("Sequence diagram of use case 1B, ")


def test_reference_page_opened_directly_by_its_url_keeps_the_link():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["scenario"] = "4"
    at.query_params["use_case"] = "1B"
    at.switch_page("pages/reference.py")
    at.run()
    assert not at.exception
    assert at.title[0].value == "Reference"
    assert at.segmented_control(key="reference_use_case").value == "1B"
    assert q(at, "scenario") == "4"


def test_state_survives_a_page_switch():
    at = app({"scenario": "3"})
    at.switch_page("pages/reference.py").run()
    at.switch_page("pages/explore.py").run()
    assert at.selectbox(key="scenario").value == 3


def test_broken_catalog_shows_one_error_not_a_traceback(data_copy, monkeypatch):
    path = data_copy / "scenarios.yaml"
    data = yaml.safe_load(path.read_text())
    del data["scenarios"][0]["name"]
    path.write_text(yaml.safe_dump(data))
    monkeypatch.setenv("EXPLORER_DATA", str(data_copy))
    at = app()
    assert not at.exception
    assert len(at.error) == 1
    assert "scenarios.yaml, field 'scenarios[0].name': is required but missing" in shown(at.error[0].value)


HOSTILE_IMAGE = "![x](http://evil.example/pixel.png)"


@pytest.mark.parametrize("query", [{"workload.model": HOSTILE_IMAGE}, {HOSTILE_IMAGE: "1"},
                                   {"customer": HOSTILE_IMAGE}])
def test_markdown_in_a_link_is_shown_literally(query):
    at = app(query)
    assert not at.exception
    markdown = [e.value for e in (*at.warning, *at.error, *at.markdown, *at.caption, *at.info)]
    # The image syntax never reaches a Markdown element unescaped: the browser shows the characters.
    assert not any("![x](" in m for m in markdown)
    if "customer" not in query:
        assert any(r"\!\[x\](http://evil.example/pixel.png)" in m for m in markdown)


def test_a_hostile_customer_name_is_literal_on_the_report_page():
    at = app({"customer": HOSTILE_IMAGE})
    at.switch_page("pages/report.py").run()
    assert not at.exception
    intro = next(m.value for m in at.markdown if m.value.startswith("One PDF"))
    assert r"\!\[x\](http://evil.example/pixel.png)" in intro and "![x](" not in intro


def test_closed_sidebar_sections_draw_nothing_and_keep_their_values():
    """Constraints, weights and workload are drawn only while open (a room's reruns stay small); what was set in
    them stays in the assessment, the link and the weights after they close, and comes back when they open."""
    from pages.parts.sidebar import SECTIONS

    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert [e.label for e in at.sidebar.expander] == list(SECTIONS)
    keys = {w.key for kind in (at.sidebar.number_input, at.sidebar.selectbox, at.sidebar.slider) for w in kind}
    assert not keys & {"requests_per_day", "cloud_provider", "region", "w.privacy", "horizon_months"}

    at.session_state[SECTIONS["Workload"]] = True
    at.session_state[SECTIONS["Criterion weights"]] = True
    at.run()
    assert at.number_input(key="requests_per_day").value == 50_000  # the default assessment's traffic
    at.number_input(key="requests_per_day").set_value(250_000)
    at.slider(key="w.privacy").set_value(4.5)
    at.run()
    assert q(at, "workload.requests_per_day") == "250000"

    at.session_state[SECTIONS["Workload"]] = False
    at.session_state[SECTIONS["Criterion weights"]] = False
    at.run()
    assert not at.exception
    assert not [w for w in at.number_input if w.key == "requests_per_day"]
    at.selectbox(key="scenario").set_value(2).run()  # other changes do not lose what the closed sections hold
    assert q(at, "workload.requests_per_day") == "250000" and q(at, "w.privacy") == "4.5"
    assert at.session_state["_assessment"]["workload"]["requests_per_day"] == 250_000

    at.session_state[SECTIONS["Workload"]] = True
    at.run()
    assert at.number_input(key="requests_per_day").value == 250_000

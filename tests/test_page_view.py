"""The Explorer as shown in a room: presenter mode in the link, the step-through, presets, the file box, alt text."""

from __future__ import annotations

from pathlib import Path

import pytest
from screen import shown
from streamlit.testing.v1 import AppTest

from explorer import decide, load_assessment
from explorer.model.link import default_weights
from pages.parts.view import STEPS
from tests.conftest import open_sidebar

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60


def app(query: dict[str, str] | None = None) -> AppTest:
    at = open_sidebar(AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT))
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    return at


def q(at: AppTest, key: str) -> str | None:
    value = at.query_params.get(key)
    return value[-1] if isinstance(value, list) else value


def test_presenter_mode_comes_from_the_link_and_goes_back_into_it():
    at = app({"present": "1", "scenario": "2"})
    assert not at.exception and not at.error
    assert at.toggle(key="present").value is True
    assert q(at, "present") == "1" and q(at, "scenario") == "2"
    # The room sees where each stage runs; the why is left to the presenter.
    assert list(at.table[0].value.columns) == ["Runs"]
    at.toggle(key="present").set_value(False).run()
    assert q(at, "present") is None  # off is the default, so the link no longer says it
    assert list(at.table[0].value.columns) == ["Runs", "Why"]
    assert "step_next" not in [b.key for b in at.button]


def test_presenter_mode_is_kept_on_another_page_and_back():
    at = app({"present": "1"})
    at.switch_page(str(ROOT / "pages" / "cost.py")).run()
    assert not at.exception
    assert q(at, "present") == "1"
    at.switch_page(str(ROOT / "pages" / "explore.py")).run()
    assert at.toggle(key="present").value is True


def test_next_and_back_step_through_four_scenarios_with_both_use_cases():
    assert STEPS == ((1, "1A"), (1, "1B"), (2, "1A"), (2, "1B"), (3, "1A"), (3, "1B"), (4, "1A"), (4, "1B"))
    at = app({"present": "1"})
    seen = [(at.selectbox(key="scenario").value, at.segmented_control(key="use_case").value)]
    for _ in range(8):
        at.button(key="step_next").click().run()
        assert not at.exception and not at.error
        seen.append((at.selectbox(key="scenario").value, at.segmented_control(key="use_case").value))
        assert (q(at, "scenario"), q(at, "use_case")) == (str(seen[-1][0]), seen[-1][1])  # the link follows
    assert seen == [*STEPS, STEPS[0]]  # the ninth step wraps round to the first
    at.button(key="step_previous").click().run()
    assert (at.selectbox(key="scenario").value, at.segmented_control(key="use_case").value) == (4, "1B")
    assert any("8 of 8" in m.value for m in at.markdown)


def test_the_step_buttons_are_only_in_presenter_mode():
    at = app()
    assert at.toggle(key="present").value is False
    assert "step_next" not in [b.key for b in at.button]


def test_a_bad_presenter_value_gets_one_sentence_and_the_normal_view():
    at = app({"present": "maybe", "scenario": "3"})
    assert not at.exception
    notices = [shown(w.value) for w in at.warning if "Presenter mode" in w.value]
    assert notices == ["Presenter mode in the shared link must be 1 (on) or 0 (off), but the link says maybe; "
                       "showing the normal view."]
    assert at.toggle(key="present").value is False
    assert q(at, "scenario") == "3" and q(at, "present") is None


def test_the_preset_box_starts_empty_and_a_preset_lands_on_its_recommended_option(catalog):
    at = app()
    assert at.selectbox(key="preset").value is None
    assert at.selectbox(key="preset").placeholder == "Choose a preset…"
    at.selectbox(key="preset").set_value("hipaa-hospital").run()  # choosing loads it: no button needed
    assert not at.exception
    # By hand: the preset's own decision, with the default weights, recommends this option.
    best = decide(catalog, load_assessment("preset:hipaa-hospital", catalog), default_weights(catalog)).recommended
    scenario, use_case = best.key.split("-")
    assert (at.selectbox(key="scenario").value, at.segmented_control(key="use_case").value) == (int(scenario),
                                                                                                 use_case)
    assert any("This option is feasible" in s.value for s in at.success)
    assert at.selectbox(key="preset").value is None  # empty again: it never names what the page no longer shows
    assert not any("ruled out" in e.value for e in at.error)


def test_save_and_load_are_in_sight_not_in_a_collapsed_section():
    at = app()
    labels = [u.proto.label for u in at.sidebar.get("file_uploader")]
    assert labels == ["Load an assessment (YAML or JSON)", "Price book (YAML or CSV: key, value)"]
    expanders = [e.label for e in at.sidebar.expander]
    assert "Save or load a file" not in expanders
    assert [b.label for b in at.sidebar.get("download_button")] == ["Save the assessment (YAML)"]


@pytest.mark.parametrize(("query", "words"), [
    ({"scenario": "1", "use_case": "1A"}, "Architecture diagram of scenario 1 with use case 1A: training: public "
                                          "cloud; serving: on premises; inference: on premises; data: on premises; 2 "
                                          "data flows cross the premises/cloud boundary."),
    ({"scenario": "2", "use_case": "1B", "constraints.cloud_allowed_classes": "public"},
     "Architecture diagram of scenario 2 with use case 1B: training: public cloud; serving: public cloud; inference: "
     "public cloud; data: public cloud; 1 data flow crosses the premises/cloud boundary. The option is ruled out by a "
     "hard rule."),
])
def test_the_explorer_diagram_has_alt_text(query, words):
    at = app(query)
    (image,) = at.get("image")
    assert image.proto.imgs[0].alt == words


@pytest.mark.parametrize(("content", "notice"), [
    (b"scenario: 2\nuse_case: [\n", "Assessment file 'bad.yaml': is not valid YAML or JSON at line 3. The previous "
                                    "assessment is kept."),
    (b"scenario: 9\n", "Assessment file 'bad.yaml', field 'scenario': must be 1, 2, 3 or 4 (got 9). The previous "
                       "assessment is kept."),
    (b"colour: red\n", "Assessment file 'bad.yaml', field 'colour': is not a known field; allowed here: "
                       "schema_version, customer, scenario, use_case, horizon_months, workload, constraints, costing, "
                       "finance, prices. The previous assessment is kept."),
    (b"\xff\xfe", "Assessment file 'bad.yaml' is not UTF-8 text; upload a YAML or JSON file."),
])
def test_a_bad_upload_is_named_in_full_sentences_and_the_assessment_kept(content, notice):
    at = app({"scenario": "3"})
    at.sidebar.get("file_uploader")[0].set_value(("bad.yaml", content, "application/yaml"))
    at.run()
    assert not at.exception
    assert [shown(w.value) for w in at.warning if "bad.yaml" in w.value] == [notice]
    assert at.selectbox(key="scenario").value == 3


def test_a_good_upload_replaces_the_assessment():
    at = app()
    text = b"customer: Fabrikam\nscenario: 4\nuse_case: 1B\nconstraints: {air_gapped: false, cloud_rtt_ms: 45}\n"
    at.sidebar.get("file_uploader")[0].set_value(("fabrikam.yaml", text, "application/yaml"))
    at.run()
    assert not at.exception and not [w for w in at.warning if "fabrikam.yaml" in w.value]
    assert at.text_input(key="customer").value == "Fabrikam"
    assert (at.selectbox(key="scenario").value, at.segmented_control(key="use_case").value) == (4, "1B")
    assert at.number_input(key="cloud_rtt_ms").value == 45

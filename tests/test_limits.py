"""Input too large or too deep is refused at once, with one sentence, in the CLI, the loader and the link."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from screen import shown
from streamlit.testing.v1 import AppTest

from explorer.model.errors import AssessmentError
from explorer.model.link import MAX_LINK
from explorer.model.loading import MAX_BYTES, MAX_DEPTH, nesting_depth, parse_assessment_text
from tests.conftest import open_sidebar

ROOT = Path(__file__).resolve().parent.parent
DEEP_JSON = "[" * 10_000 + "]" * 10_000
DEEP_YAML = "a:\n" + "".join(" " * i + "b:\n" for i in range(1, 1_300))  # 0.85 MB, nested by indentation
HUGE = "customer: \"" + "x" * 50_000_000 + "\"\n"  # 50 MB: a huge customer string


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "explorer", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


def test_nesting_depth_counts_brackets_outside_strings():
    assert nesting_depth('{"a": [1, {"b": "[[[{{"}]}') == 3  # the brackets inside the string do not count
    assert nesting_depth("a: 'x]]' \n") == 0
    assert nesting_depth(DEEP_JSON) == 10_000


@pytest.mark.parametrize(("text", "message"), [
    (DEEP_JSON, f"nests 10000 levels deep; an assessment nests at most {MAX_DEPTH} levels"),
    (DEEP_YAML, f"nests more than {MAX_DEPTH} levels deep"),
    ("x" * (MAX_BYTES + 1), "is 1.0 MB; an assessment file may be at most 1 MB"),
])
def test_the_loader_refuses_deep_or_large_text(text, message):
    with pytest.raises(AssessmentError, match=rf"^Assessment upload\.yaml: {message}\.$"):
        parse_assessment_text(text, "upload.yaml")


@pytest.mark.parametrize(("content", "fragment"), [
    (DEEP_JSON, "nests 10000 levels deep"),
    (DEEP_YAML, f"nests more than {MAX_DEPTH} levels deep"),
    (HUGE, "is 50.0 MB; an assessment file may be at most 1 MB"),
])
@pytest.mark.parametrize("command", ["place", "cost", "export"])
def test_the_cli_refuses_at_once_without_a_traceback(tmp_path, content, fragment, command):
    path = tmp_path / "crafted.yaml"
    path.write_text(content, encoding="utf-8")
    args = [command, str(path)]
    if command == "export":
        args += ["--view", "architecture", "--format", "dot", "--out", str(tmp_path / "out.dot")]
    start = time.monotonic()
    done = cli(*args)
    assert time.monotonic() - start < 30
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert fragment in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out.dot").exists()


def test_a_link_too_long_is_one_notice_and_the_default_view():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["customer"] = "x" * (MAX_LINK + 10)
    at.run()
    assert not at.exception
    notices = [shown(w.value) for w in at.warning]
    assert any(f"a link may carry at most {MAX_LINK:,}. Showing the default view." in n for n in notices)
    assert at.text_input(key="customer").value == ""


def _app(query: dict[str, str] | None = None) -> AppTest:
    at = open_sidebar(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120))
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def test_every_number_widget_takes_its_bounds_from_the_model():
    from explorer.model.assessment import bounds
    from pages.parts.state import FIELDS

    at = _app()
    at.switch_page("pages/cost.py").run()
    inputs = [*at.number_input, *_app().number_input]
    checked = set()
    for widget in inputs:
        if widget.key not in FIELDS:
            continue
        b = bounds(FIELDS[widget.key])
        assert (widget.min, widget.max) == (b["min_value"], b["max_value"]), widget.key
        checked.add(widget.key)
    assert len(checked) >= 14  # every numeric input of the sidebar, and the Cost page's deadline


@pytest.mark.parametrize("query", [
    {"workload.ttft_target_ms": "1", "workload.tpot_target_ms": "0.1", "costing.training_days": "0.25",
     "costing.sensitivity_pct": "1", "workload.epochs": "0", "workload.peak_factor": "1"},  # every lower bound
    {"workload.requests_per_day": "1e10", "horizon_months": "240", "constraints.cloud_rtt_ms": "10000"},
])
def test_values_at_the_models_bounds_open_without_an_error(query):
    at = _app(query)
    assert not at.exception
    assert not [w for w in at.warning if "shared link" in w.value]
    # A 1 ms time-to-first-token target rules every option out: that is the decision, not an input error.
    assert not [e for e in at.error if "Assessment" in e.value]


def test_a_value_below_the_widgets_minimum_is_named_not_a_crash():
    at = _app({"workload.ttft_target_ms": "0.5"})  # accepted before, and the widget's minimum crashed the page
    assert not at.exception
    (notice,) = [shown(w.value) for w in at.warning if "shared link" in w.value]
    assert ("TTFT target (ms) (workload.ttft_target_ms) must be a number from 1 to 600,000 (the link says 0.5)."
            in notice)


BOMB = "".join(f"{x}: &{x} [{', '.join([f'*{p}'] * 9) if p else ', '.join(['x'] * 9)}]\n"
               for p, x in zip(["", *"abcdef"], "abcdefg", strict=True)) + "prices: *g\n"  # 9^7 by aliases
CRAFTED = {
    "list.yaml": ("[]", "must be a mapping of fields, not list"),
    "number.yaml": ("42", "must be a mapping of fields, not int"),
    "bad.yaml": ("{a: [}", "is not valid YAML or JSON at line 1"),
    "python.yaml": ("scenario: !!python/object/apply:os.system ['echo hi']", "is not valid YAML or JSON at line 1"),
    "bomb.yaml": (BOMB, "field 'prices': must be a mapping of fields."),
    "bigint.yaml": ("horizon_months: 1" + "0" * 5000, "holds a number too long to read (over 4,300 digits)"),
    "inf.yaml": ("workload: {epochs: .inf}", "field 'workload.epochs': must be a finite number (got inf)"),
    "types.yaml": ("workload: [1, 2]", "field 'workload': must be a mapping of fields."),
    "unknown.yaml": ("colour: red", "field 'colour': is not a known field"),
    "price.yaml": ("prices: {nope: 1}", "field 'prices.nope': is not a known price; allowed keys: "),
    "deep.yaml": ("a: " + "{b: " * 40 + "1" + "}" * 40, "nests 40 levels deep"),
}


@pytest.mark.parametrize("name", sorted(CRAFTED))
@pytest.mark.parametrize("command", ["place", "cost", "export"])
def test_crafted_files_get_one_sentence_from_every_command(tmp_path, capsys, name, command):
    from explorer.cli import main

    content, fragment = CRAFTED[name]
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    args = [command, str(path)]
    if command == "export":
        args += ["--view", "architecture", "--format", "dot", "--out", str(tmp_path / "out.dot")]
    assert main(args) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and fragment in err, err


def test_a_training_deadline_of_a_subnormal_is_refused_in_one_sentence(catalog):
    # 5e-324 days once overflowed `ceil(gpu_hours / (days × 24))` into a traceback; the deadline now starts at 6 h.
    with pytest.raises(AssessmentError, match=r"field 'costing\.training_days': must be a number from 0\.25 to 365 "
                                              r"\(got 5e-324\)\.$"):
        parse_assessment_text("costing: {training_days: 5.0e-324}", "upload.yaml", catalog)


def test_a_subnormal_traffic_gives_finite_numbers(catalog):
    import json

    from explorer import decide

    a = parse_assessment_text("workload: {requests_per_day: 1.0e-308}", "upload.yaml", catalog)
    cost = decide(catalog, a).require_cost()
    # 1e-308 requests a day generate far less than one token over 36 months: no cost per million tokens.
    assert all(o.per_million_tokens is None for o in cost.options)
    json.dumps(cost.to_dict(), allow_nan=False)

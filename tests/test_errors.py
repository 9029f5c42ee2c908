"""Every error the explorer raises on purpose is one sentence naming the input and what is allowed.

The raises the other test modules reach are matched there; this module covers the rest (found by running
the suite under coverage and listing every `raise` line it did not execute).
"""

from __future__ import annotations

import subprocess

import plotly.graph_objects as go
import pytest

import explorer.render.graphviz as graphviz
import explorer.render.kaleido_export as kaleido_export
from explorer import ExplorerError, decide
from explorer.architecture import architecture_of
from explorer.model import errors
from explorer.model.assessment import Assessment
from explorer.model.catalog import load_catalog
from explorer.model.errors import CatalogError, RenderError, UnknownChoiceError
from explorer.model.link import from_query
from explorer.model.loading import parse_assessment
from explorer.render.compare import compare


def test_every_error_class_is_an_explorer_error_in_one_module():
    classes = [v for v in vars(errors).values() if isinstance(v, type) and issubclass(v, Exception)]
    assert len(classes) >= 11
    assert all(issubclass(c, ExplorerError) for c in classes if c is not errors.ValidationError)
    assert {c.__module__ for c in classes if c is not errors.ValidationError} == {"explorer.model.errors"}


def test_unknown_names_in_results_list_the_known_ones(catalog):
    d = decide(catalog, Assessment())
    model = architecture_of(d)
    with pytest.raises(UnknownChoiceError, match=r'^"nope" is not a valid element. Choose from: users, training, '):
        model.element("nope")
    with pytest.raises(UnknownChoiceError, match=r'^"moon" is not a valid boundary. Choose from: cloud, premises\.$'):
        model.boundary("moon")
    with pytest.raises(UnknownChoiceError, match=r'^"9-1A" is not a valid option. Choose from: 1-1A, 1-1B, 2-1A, '):
        d.require_cost().option(9, "1A")
    with pytest.raises(UnknownChoiceError, match=r'^"vibes" is not a valid criterion. Choose from: privacy, '):
        d.chosen.trade_offs.rating("vibes")
    with pytest.raises(UnknownChoiceError, match=r'^"Colour" is not a valid comparison row. Choose from: Training, '):
        compare(d).row("Colour")


@pytest.mark.parametrize("raw", [{"workload": {"epochs": float("nan")}}, {"costing": {"training_days": float("inf")}},
                                 {"workload": {"requests_per_day": "nan"}}])
def test_nan_and_infinity_are_named_as_such(catalog, raw):
    with pytest.raises(errors.AssessmentError, match=r"must be a finite number \(got "):
        parse_assessment(raw, catalog=catalog)


def test_a_non_finite_price_is_named(catalog):
    with pytest.raises(errors.AssessmentError, match=r"^Assessment URL query, field 'prices': price 'onprem:pue' "
                                                     r"must be a finite number\.$"):
        from_query({"prices.onprem:pue": "inf"}, catalog)


def test_an_unreadable_catalog_file_is_one_sentence(data_copy):
    target = data_copy / "models.yaml"
    target.unlink()
    target.mkdir()  # a directory where a file should be: reading it fails with an OSError
    with pytest.raises(CatalogError, match=r"models\.yaml: cannot be read \(IsADirectoryError\)\.$"):
        load_catalog(data_copy)


def test_prices_naming_unknown_gpus_list_the_known_ones(data_copy):
    path = data_copy / "cloud_prices.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("gpu: h100-sxm", "gpu: h900", 1), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"field 'providers\[0\]\.gpus\[\d+\]\.gpu': names unknown GPU 'h900'; "
                                           r"choose from: h100-sxm"):
        load_catalog(data_copy)


def test_servers_naming_unknown_gpus_list_the_known_ones(data_copy):
    path = data_copy / "onprem_costs.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("gpu: h100-sxm", "gpu: h900", 1), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"field 'servers\[\d+\]\.gpu': names unknown GPU 'h900'; choose from: "):
        load_catalog(data_copy)


@pytest.mark.parametrize(("edit", "message"), [
    ({"value": 5.0, "max": 2.0}, r"value 5\.0 must lie within min 0\.0 and max 2\.0"),
    ({"low": 0.1}, r"low and high must be given together"),
    ({"value": 0.9, "low": 0.1, "high": 0.5}, r"value 0\.9 must lie within low 0\.1 and high 0\.5"),
])
def test_a_ranged_default_must_be_consistent(edit, message):
    from explorer.model.price_catalog import Factor

    base = {"id": "x", "value": 0.3, "unit": "ratio", "description": "A factor", "source": "a source",
            "as_of": "2026-01-01"}
    with pytest.raises(ValueError, match=message):
        Factor.model_validate({**base, **edit})


def test_graphviz_that_runs_too_long_is_one_sentence(monkeypatch):
    def slow(*args, **kwargs):
        raise subprocess.TimeoutExpired(cmd="dot", timeout=60)

    monkeypatch.setattr(graphviz.subprocess, "run", slow)
    with pytest.raises(RenderError, match=r"^Graphviz took longer than 60 s to draw the diagram\.$"):
        graphviz.render_dot.__wrapped__("digraph { a -> b }", "png")


def test_charts_without_chromium_say_what_to_install(monkeypatch):
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setattr(kaleido_export.shutil, "which", lambda name: None)
    with pytest.raises(RenderError, match=r"^Chart images need Chromium, which is not installed; install the "
                                          r"'chromium' system package\.$"):
        kaleido_export.chromium_path()


@pytest.fixture
def fake_kaleido(monkeypatch):
    """kaleido with its browser replaced: each test sets what calc_fig_sync does."""
    import kaleido

    monkeypatch.setattr(kaleido_export, "_ensure_server", lambda: None)
    return lambda fn: monkeypatch.setattr(kaleido, "calc_fig_sync", fn)


def _spec() -> str:
    return go.Figure(go.Bar(x=[1], y=[2])).to_json()


def test_a_chart_the_browser_fails_on_is_one_sentence(fake_kaleido):
    def fails(*args, **kwargs):
        raise RuntimeError("the browser went away")

    fake_kaleido(fails)
    with pytest.raises(RenderError, match=r"^The chart could not be drawn as png \(RuntimeError\)\.$"):
        kaleido_export._render.__wrapped__(_spec(), "png", 100, 100, 1.0)


def test_a_chart_that_comes_back_empty_is_one_sentence(fake_kaleido):
    fake_kaleido(lambda *args, **kwargs: None)
    with pytest.raises(RenderError, match=r"^The chart could not be drawn as svg\.$"):
        kaleido_export._render.__wrapped__(_spec(), "svg", 100, 100, 1.0)


def test_a_chart_browser_that_hangs_times_out(fake_kaleido, monkeypatch):
    import threading

    release = threading.Event()
    fake_kaleido(lambda *args, **kwargs: release.wait(5))
    monkeypatch.setattr(kaleido_export, "_TIMEOUT_S", 0.2)
    try:
        with pytest.raises(RenderError, match=r"^The chart's browser did not answer within 0\.2 s; build the report "
                                              r"again\.$"):
            kaleido_export._render.__wrapped__(_spec(), "png", 100, 100, 1.0)
    finally:
        release.set()

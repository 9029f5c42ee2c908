"""Catalog loading: valid data loads; broken data names the file, the field and the problem."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from explorer.model.catalog import load_catalog
from explorer.model.errors import CatalogError, UnknownChoiceError
from explorer.render.views import resolve_icon

ROOT = Path(__file__).resolve().parent.parent


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_project_catalog_is_valid(catalog):
    assert [s.id for s in catalog.scenarios] == [1, 2, 3, 4]
    assert {"llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b", "llama-2-70b", "mistral-7b", "mixtral-8x7b",
            "granite-3.1-8b"} <= {m.id for m in catalog.models}
    assert {"h100-sxm", "h200", "a100-80gb", "l40s", "l4"} <= {g.id for g in catalog.gpus}
    assert len(catalog.presets) >= 4


def test_every_fact_has_source_and_date(catalog):
    for entry in (*catalog.models, *catalog.gpus, *catalog.criteria, *catalog.assumptions):
        assert entry.source and entry.as_of, entry.id
    assert all(c.estimate for c in catalog.criteria), "ratings are judgements and must say so"


def test_missing_field_names_file_and_path(data_copy):
    _edit(data_copy / "scenarios.yaml", lambda d: d["scenarios"][2].pop("locality"))
    with pytest.raises(CatalogError) as err:
        load_catalog(data_copy)
    assert "scenarios.yaml" in str(err.value)
    assert "scenarios[2].locality" in str(err.value)
    assert "required" in str(err.value)


def test_wrong_type_names_file_path_and_value(data_copy):
    _edit(data_copy / "models.yaml", lambda d: d["models"][1].update(layers="eighty"))
    with pytest.raises(CatalogError,
                       match=r"models\.yaml, field 'models\[1\]\.layers': must be a whole number \(got 'eighty'\)\.$"):
        load_catalog(data_copy)


def test_bad_stage_value_lists_choices(data_copy):
    _edit(data_copy / "scenarios.yaml", lambda d: d["scenarios"][0]["stages"].update(serving="edge"))
    with pytest.raises(CatalogError, match=r"scenarios\[0\]\.stages\.serving.*'local', 'public_cloud'"):
        load_catalog(data_copy)


def test_unknown_key_is_named(data_copy):
    _edit(data_copy / "gpus.yaml", lambda d: d["gpus"][0].update(colour="green"))
    with pytest.raises(CatalogError, match=r"gpus\[0\]\.colour': is not a known field"):
        load_catalog(data_copy)


def test_invalid_yaml_gives_line(data_copy):
    (data_copy / "presets.yaml").write_text("presets:\n  - id: [unclosed\n")
    with pytest.raises(CatalogError, match=r"presets\.yaml: is not valid YAML at line \d+"):
        load_catalog(data_copy)


def test_missing_file(data_copy):
    (data_copy / "criteria.yaml").unlink()
    with pytest.raises(CatalogError, match=r"criteria\.yaml: the file is missing"):
        load_catalog(data_copy)


def test_top_level_must_be_mapping(data_copy):
    (data_copy / "icons.yaml").write_text("- just\n- a list\n")
    with pytest.raises(CatalogError, match="must hold a mapping at the top level, not list"):
        load_catalog(data_copy)


def test_unknown_top_level_key(data_copy):
    _edit(data_copy / "perspectives.yaml", lambda d: d.update(extra=1))
    with pytest.raises(CatalogError, match="'extra': is not a known key; allowed: perspectives"):
        load_catalog(data_copy)


def test_duplicate_ids(data_copy):
    _edit(data_copy / "presets.yaml", lambda d: d["presets"].append(dict(d["presets"][0])))
    with pytest.raises(CatalogError, match=r"presets\[4\]\.id': duplicates id 'regulated-bank'"):
        load_catalog(data_copy)


def test_all_four_scenarios_required(data_copy):
    _edit(data_copy / "scenarios.yaml", lambda d: d["scenarios"].pop())
    with pytest.raises(CatalogError, match=r"must define scenarios 1 to 4, found \[1, 2, 3\]"):
        load_catalog(data_copy)


def test_both_use_cases_required(data_copy):
    _edit(data_copy / "use_cases.yaml", lambda d: d["use_cases"].pop())
    with pytest.raises(CatalogError, match=r"must define 1A and 1B, found \['1A'\]"):
        load_catalog(data_copy)


def test_criterion_must_rate_every_option(data_copy):
    _edit(data_copy / "criteria.yaml", lambda d: d["criteria"][0]["ratings"].pop("4-1B"))
    with pytest.raises(CatalogError, match=r"criteria\[0\]': ratings are missing for options \['4-1B'\]"):
        load_catalog(data_copy)


def test_criterion_rejects_unknown_option(data_copy):
    def add_option(d):
        ratings = d["criteria"][0]["ratings"]
        ratings["5-1A"] = ratings["1-1A"]

    _edit(data_copy / "criteria.yaml", add_option)
    with pytest.raises(CatalogError, match=r"ratings name unknown options \['5-1A'\]"):
        load_catalog(data_copy)


def test_sequence_messages_name_participants(data_copy):
    _edit(data_copy / "use_cases.yaml", lambda d: d["use_cases"][0]["sequence"]["messages"][0].update({"to": "ZZ"}))
    with pytest.raises(CatalogError, match=r"names participant 'ZZ'"):
        load_catalog(data_copy)


def test_not_a_directory(tmp_path):
    with pytest.raises(CatalogError, match="is not a directory"):
        load_catalog(tmp_path / "nope")


def test_catalog_is_reloaded_when_a_file_changes(data_copy):
    first = load_catalog(data_copy)
    _edit(data_copy / "scenarios.yaml", lambda d: d["scenarios"][0].update(name="Renamed"))
    import os
    os.utime(data_copy / "scenarios.yaml", (1, 1))  # a different mtime, whatever the clock's resolution
    assert load_catalog(data_copy).scenario(1).name == "Renamed"
    assert first.scenario(1).name != "Renamed"


@pytest.mark.parametrize(
    ("lookup", "arg", "message"),
    [
        ("scenario", 9, '"9" is not a valid scenario. Choose from: 1, 2, 3, 4.'),
        ("use_case", "2C", '"2C" is not a valid use case. Choose from: 1A, 1B.'),
        ("preset", "nope", '"nope" is not a valid preset. Choose from: regulated-bank'),
        ("model", "gpt-9", '"gpt-9" is not a valid model. Choose from: llama-3.1-8b'),
        ("gpu", "tpu", '"tpu" is not a valid GPU. Choose from: h100-sxm'),
        ("icon_classes", "robot", '"robot" is not a valid component kind. Choose from: training'),
        ("assumption", "pi", '"pi" is not a valid assumption. Choose from: bytes_per_token'),
    ],
)
def test_unknown_lookups_list_the_choices(catalog, lookup, arg, message):
    with pytest.raises(UnknownChoiceError) as err:
        getattr(catalog, lookup)(arg)
    assert str(err.value).startswith(message)


def test_every_icon_entry_resolves_to_a_node_class(catalog):
    for entry in catalog.icons:
        assert set(entry.classes) == {"aws", "azure", "gcp", "ibm", "premises"}, entry.kind
        for spec in entry.classes.values():
            cls, path = resolve_icon(spec)
            assert cls is not None
            if path is not None:
                assert Path(path).is_file()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("diagrams.aws.ml.NoSuchThing", "diagrams.aws.ml.NoSuchThing is not a node class of the diagrams library"),
        ("nosuchmodule.Node", "nosuchmodule.Node is not a node class of the diagrams library"),
        ("diagrams.Edge", "diagrams.Edge is not a node class of the diagrams library"),
        ("custom:missing.png", "custom icon missing.png is missing from assets/icons/"),
    ],
)
def test_bad_icon_specs(spec, message):
    with pytest.raises(CatalogError, match=message.replace(".", r"\.")):
        resolve_icon(spec)


def test_cli_validate_ok():
    done = subprocess.run([sys.executable, "-m", "explorer", "validate"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0
    assert "are valid: 4 scenarios, 2 use cases" in done.stdout


def test_cli_validate_broken_catalog_exits_1_with_one_sentence(data_copy):
    _edit(data_copy / "scenarios.yaml", lambda d: d["scenarios"][1]["stages"].pop("data"))
    done = subprocess.run([sys.executable, "-m", "explorer", "validate", "--data", str(data_copy)], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0
    assert "scenarios.yaml, field 'scenarios[1].stages.data': is required but missing" in done.stderr

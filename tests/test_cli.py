"""The command line: contracts of validate, scenarios, place and export, and one-sentence errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from explorer.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "explorer", *args], cwd=ROOT, capture_output=True, text=True)


def test_place_json_contract(capsys):
    assert main(["place", "preset:regulated-bank", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"options", "recommended"}
    assert len(data["options"]) == 8
    for option in data["options"]:
        assert set(option) >= {"scenario", "use_case", "stages", "feasible", "violations", "score", "reasons"}
        assert set(option["stages"]) == {"training", "serving", "inference", "data"}
        assert set(option["stages"].values()) <= {"local", "public_cloud", "exchanged"}
    assert set(data["recommended"]) >= {"scenario", "use_case", "reasons"}
    # The bank's policy keeps regulated data home: scenario 1 leaves training open, and it resolves to the premises.
    s1 = next(o for o in data["options"] if o["scenario"] == 1 and o["use_case"] == "1A")
    assert s1["stages"]["training"] == "local"
    assert "the customer's policy keeps this class of data out of the public cloud" in s1["stage_reasons"]["training"]


def test_place_from_file(tmp_path, capsys):
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"scenario": 4, "use_case": "1B"}))
    assert main(["place", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["options"][7]["stages"]["serving"] == "public_cloud"


def test_place_plain_text(capsys):
    assert main(["place", "preset:cloud-first-retailer"]) == 0
    out = capsys.readouterr().out
    assert out.count("Scenario ") == 8 and "Recommended: scenario" in out


def test_scenarios_plain_text(capsys):
    assert main(["scenarios"]) == 0
    assert "Scenario 3: Local Training and Serving (training local" in capsys.readouterr().out


@pytest.mark.parametrize(("view", "fmt", "magic"), [
    ("architecture", "png", b"\x89PNG"), ("architecture", "pdf", b"%PDF"), ("c4-context", "svg", b"<?xml"),
    ("c4-context", "dot", b"digraph"),
])
def test_export_writes_the_file(tmp_path, capsys, view, fmt, magic):
    out = tmp_path / f"d.{fmt}"
    assert main(["export", "preset:hipaa-hospital", "--view", view, "--format", fmt, "--out", str(out)]) == 0
    assert out.read_bytes().startswith(magic)
    assert f"Wrote {view} as {fmt} to {out}" in capsys.readouterr().out
    assert os.listdir(tmp_path) == [out.name]


@pytest.mark.parametrize(("args", "message"), [
    (["place", "preset:nope", "--json"], 'error: "nope" is not a valid preset. Choose from: regulated-bank'),
    (["place", "missing.yaml"], "error: Assessment missing.yaml: the file does not exist"),
    (["export", "preset:hipaa-hospital", "--view", "architecture", "--format", "png", "--out", "/no/such/dir/x.png"],
     "error: Output path /no/such/dir/x.png: the directory /no/such/dir does not exist."),
])
def test_errors_are_one_sentence_on_stderr(args, message):
    done = run(*args)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(message)
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1


def test_bad_assessment_file_exits_1(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("scenario: 9\n")
    done = run("place", str(path), "--json")
    assert done.returncode == 1
    assert f"Assessment {path}, field 'scenario': must be 1, 2, 3 or 4 (got 9)." in done.stderr


def test_usage_errors_exit_non_zero_without_traceback():
    done = run("export", "preset:hipaa-hospital", "--view", "c4", "--format", "png", "--out", "x.png")
    assert done.returncode == 1
    assert '"c4" is not a valid view. Choose from: architecture' in done.stderr and "Traceback" not in done.stderr
    assert not (ROOT / "x.png").exists()
    done = run("place")
    assert done.returncode == 2
    assert done.stderr == ("python -m explorer place: These are required and missing: assessment. "
                           "Run with --help to see every option.\n")


def test_export_refuses_a_directory_and_leaves_nothing(tmp_path):
    done = run("export", "preset:hipaa-hospital", "--view", "architecture", "--format", "png", "--out", str(tmp_path))
    assert done.returncode == 1
    assert "is a directory; give a file name" in done.stderr
    assert os.listdir(tmp_path) == []


def test_export_write_failure_leaves_no_partial_file(tmp_path, monkeypatch, capsys):
    def boom(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("explorer.cli.os.replace", boom)
    out = tmp_path / "x.png"
    assert main(["export", "preset:hipaa-hospital", "--view", "architecture", "--format", "png",
                 "--out", str(out)]) == 1
    assert "could not be written (No space left on device)" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []


def test_not_writable_directory_is_reported(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("explorer.cli.os.access", lambda *_: False)
    out = tmp_path / "x.png"
    assert main(["export", "preset:hipaa-hospital", "--view", "architecture", "--format", "png",
                 "--out", str(out)]) == 1
    assert f"Output path {out}: the directory {tmp_path} is not writable." in capsys.readouterr().err

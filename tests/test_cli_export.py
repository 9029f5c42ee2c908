"""`python -m explorer export`: every view × format, the report, and bad input with no partial file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from explorer.cli import main
from explorer.render import EXTENSIONS, VIEW_FORMATS, VIEWS

ROOT = Path(__file__).resolve().parent.parent
PAIRS = [(v, f) for v in VIEWS for f in VIEW_FORMATS[v]]


@pytest.mark.parametrize(("view", "fmt"), PAIRS)
def test_export_every_view_and_format(tmp_path, capsys, view, fmt):
    out = tmp_path / f"{view}.{EXTENSIONS[fmt]}"
    assert main(["export", "preset:regulated-bank", "--view", view, "--format", fmt, "--out", str(out)]) == 0
    assert out.stat().st_size > 100
    assert f"Wrote {view} as {fmt} to {out}" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left behind


def test_export_with_overlay(tmp_path):
    out = tmp_path / "a.dot"
    assert main(["export", "preset:regulated-bank", "--view", "architecture", "--format", "dot", "--overlay",
                 "--out", str(out)]) == 0
    assert "REGULATED" in out.read_text()


def test_export_report_through_the_module(tmp_path):
    out = tmp_path / "report.pdf"
    done = subprocess.run(
        [sys.executable, "-m", "explorer", "export", "preset:regulated-bank", "--view", "report", "--format", "pdf",
         "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--view", "nope", "--format", "png"],
         'error: "nope" is not a valid view. Choose from: architecture, c4-context, c4-container, sequence, '
         "flowchart, report, deck, estimate.\n"),
        (["--view", "architecture", "--format", "gif"],
         'error: "gif" is not a valid format. Choose from: png, svg, pdf, mermaid, dot, zip.\n'),
        (["--view", "architecture", "--format", "mermaid"],
         "error: The architecture view has no mermaid export; choose from png, svg, pdf, dot, zip (Mermaid exists "
         "only for flowchart, c4-context, sequence).\n"),
        (["--view", "report", "--format", "png"], "error: The report is exported only as pdf, not png.\n"),
    ],
)
def test_bad_view_or_format(tmp_path, capsys, args, message):
    out = tmp_path / "x.out"
    assert main(["export", "preset:regulated-bank", *args, "--out", str(out)]) == 1
    assert capsys.readouterr().err == message
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_missing_directory(tmp_path, capsys):
    out = tmp_path / "missing" / "a.png"
    assert main(["export", "preset:regulated-bank", "--view", "flowchart", "--format", "png", "--out", str(out)]) == 1
    assert capsys.readouterr().err == f"error: Output path {out}: the directory {out.parent} does not exist.\n"


def test_unwritable_directory_message(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(os, "access", lambda *_a, **_k: False)
    out = tmp_path / "a.png"
    assert main(["export", "preset:regulated-bank", "--view", "flowchart", "--format", "png", "--out", str(out)]) == 1
    assert capsys.readouterr().err == f"error: Output path {out}: the directory {tmp_path} is not writable.\n"
    assert not out.exists()


def test_out_is_a_directory(tmp_path, capsys):
    assert main(["export", "preset:regulated-bank", "--view", "flowchart", "--format", "png",
                 "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err == f"error: Output path {tmp_path} is a directory; give a file name.\n"


def test_invalid_assessment(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenario: 9\n")
    out = tmp_path / "a.png"
    assert main(["export", str(bad), "--view", "flowchart", "--format", "png", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: Assessment") and "scenario" in err and err.count("\n") == 1
    assert not out.exists()

"""`python -m explorer export` at the edges of the filesystem: long names, unwritable places, the umask, --scale."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from explorer.cli import main
from explorer.render.graphviz import png_dpi, png_size

ROOT = Path(__file__).resolve().parent.parent
EXPORT = ["export", "preset:regulated-bank", "--view", "flowchart"]


@pytest.fixture
def umask() -> Iterator[object]:
    """Set a umask for one test and put the old one back."""
    old = os.umask(0o022)
    os.umask(old)

    def set_(mask: int) -> None:
        os.umask(mask)

    yield set_
    os.umask(old)


def test_the_longest_name_the_filesystem_allows_works(tmp_path, capsys):
    longest = os.pathconf(tmp_path, "PC_NAME_MAX")  # 255 on ext4, tmpfs, overlayfs
    out = tmp_path / ("d" * (longest - 4) + ".dot")
    assert len(out.name) == longest
    assert main([*EXPORT, "--format", "dot", "--out", str(out)]) == 0
    assert out.read_text().startswith("digraph")
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # the short temporary name is gone


def test_a_name_longer_than_the_filesystem_allows_is_one_sentence(tmp_path, capsys):
    out = tmp_path / ("d" * 300 + ".png")
    assert main([*EXPORT, "--format", "png", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err == f"error: Output path {out} cannot be used (File name too long).\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("target", ["/proc/x.png", "/sys/x.png"])
def test_a_place_nobody_can_write_is_one_sentence_without_a_traceback(target):
    done = subprocess.run([sys.executable, "-m", "explorer", *EXPORT, "--format", "png", "--out", target],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"error: Output path {target} ")
    assert not Path(target).exists()


def test_a_file_where_a_directory_should_be_is_one_sentence(tmp_path, capsys):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    out = blocker / "a.png"
    assert main([*EXPORT, "--format", "png", "--out", str(out)]) == 1
    assert capsys.readouterr().err == f"error: Output path {out}: the directory {blocker} does not exist.\n"


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_exported_files_follow_the_umask(tmp_path, umask, mask, mode):
    umask(mask)
    out = tmp_path / "a.dot"
    assert main([*EXPORT, "--format", "dot", "--out", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == mode  # 0o666 & ~umask, as a plain open() would give


def test_scale_sets_pixels_and_dpi(tmp_path):
    one, two = tmp_path / "one.png", tmp_path / "two.png"
    assert main([*EXPORT, "--format", "png", "--scale", "1", "--out", str(one)]) == 0
    assert main([*EXPORT, "--format", "png", "--scale", "2", "--out", str(two)]) == 0
    (w1, h1), (w2, h2) = png_size(one.read_bytes()), png_size(two.read_bytes())
    # Scale 2 is 192 dpi instead of Graphviz's 96: twice the pixels each way (Graphviz rounds each side).
    assert abs(w2 - 2 * w1) <= 2 and abs(h2 - 2 * h1) <= 2
    # PNG stores whole pixels per metre: 96 / 0.0254 = 3779.5 -> 3780 (96.01 dpi); 192 -> 7559 (191.999).
    assert png_dpi(one.read_bytes()) == pytest.approx(96, abs=0.02)
    assert png_dpi(two.read_bytes()) == pytest.approx(192, abs=0.02)


def test_the_default_png_is_slide_ready(tmp_path):
    out = tmp_path / "a.png"
    assert main(["export", "preset:regulated-bank", "--view", "architecture", "--format", "png",
                 "--out", str(out)]) == 0
    width, height = png_size(out.read_bytes())
    assert max(width, height) >= 2400 and width > height  # landscape, at least 2,400 px on the long side
    assert png_dpi(out.read_bytes()) >= 192


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "svg", "--scale", "2"], "error: --scale applies to png only; svg is drawn without one.\n"),
    (["--format", "png", "--scale", "9"],
     "error: The scale must be between 0.5 and 5 times the diagram's own size (got 9).\n"),
    (["--format", "png", "--scale", "nan"],
     "error: The scale must be between 0.5 and 5 times the diagram's own size (got nan).\n"),
])
def test_bad_scale_is_one_sentence(tmp_path, capsys, args, message):
    out = tmp_path / "a.out"
    assert main([*EXPORT, *args, "--out", str(out)]) == 1
    assert capsys.readouterr().err == message
    assert not out.exists()


def test_a_scale_that_is_not_a_number_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main([*EXPORT, "--format", "png", "--scale", "two", "--out", str(tmp_path / "a.png")])
    assert stop.value.code == 2
    assert capsys.readouterr().err == "python -m explorer export: --scale must be a number, not 'two'.\n"


@pytest.mark.parametrize(("argv", "said"), [
    (["presets"], "python -m explorer: The command 'presets' is not one of: validate, scenarios, place, size, cost, "
                  "export.\n"),
    ([], "python -m explorer: Name a command: validate, scenarios, place, size, cost or export. Run with --help for "
         "each one's use.\n"),
    (["size"], "python -m explorer size: Name a command: training or serving. Run with --help for each one's use.\n"),
    (["size", "fit"], "python -m explorer size: The command 'fit' is not one of: training, serving.\n"),
    (["export", "preset:regulated-bank", "--view"], "python -m explorer export: --view needs a value after it.\n"),
    (["place", "preset:regulated-bank", "--bogus"], "python -m explorer: Unknown argument: --bogus. Run with --help "
                                                    "to see every option.\n"),
])
def test_usage_errors_are_plain_sentences(argv, said, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert capsys.readouterr().err == said

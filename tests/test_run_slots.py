"""One script run at a time per app process (pages/parts/shell.py): queued runs wait off the interpreter lock."""

from __future__ import annotations

import threading
import time

import pytest

from pages.parts import shell


@pytest.mark.parametrize(("raw", "slots"), [("1", 1), ("3", 3), (" 2 ", 2), ("0", 1), ("17", 1), ("two", 1),
                                             ("-1", 1), ("", 1)])
def test_run_slots_come_from_the_environment_within_bounds(monkeypatch, raw, slots):
    monkeypatch.setenv("EXPLORER_RUN_SLOTS", raw)
    assert shell._run_slots() == slots


def test_runs_in_one_process_take_turns():
    """Eight sessions' runs entering at once never overlap; each waits for the one before it."""
    inside, most, lock = 0, 0, threading.Lock()

    def run() -> None:
        nonlocal inside, most
        with shell.in_app():
            with lock:
                inside += 1
                most = max(most, inside)
            time.sleep(0.02)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=run) for _ in range(8)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert most == 1
    assert time.perf_counter() - start >= 8 * 0.02  # served one after another, not side by side


def test_a_failing_run_gives_its_turn_back():
    with pytest.raises(RuntimeError), shell.in_app():
        raise RuntimeError("the page failed")
    done = threading.Event()

    def run() -> None:
        with shell.in_app():
            done.set()

    threading.Thread(target=run).start()
    assert done.wait(timeout=2), "the next run never got its turn"

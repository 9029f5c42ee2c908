"""The real server under one websocket session: latency and server CPU per rerun, RSS, with and without post-run GC.

`python -m bench.bench_server` starts `streamlit run app.py` twice (default flags, then `--runner.postScriptGC false`)
and drives each as a browser tab would, over Streamlit's websocket protocol (bench/ws_session.py): the first run of
a session, changes between (scenario, use case) options already visited ("cached": the app's content caches answer),
and changes to a traffic figure never used before ("new numbers"). Wall time runs from sending the BackMsg to
receiving `script_finished`; server CPU is utime+stime of the server process from /proc, read before the change and
again once the process has gone quiet after it (so work done after `script_finished`, such as Streamlit's forced
`gc.collect(2)`, counts; "to finish" stops at `script_finished`). Graphviz renders run in child processes and are
counted apart ("children").

`python -m bench.bench_server --sessions 50 --duration 60 --url http://host/app/` instead runs a load test of N
concurrent sessions against a running URL (e.g. behind a proxy); without --url it starts its own server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import report
from bench.ws_session import Disconnected, RunResult, StreamlitSession
from deploy.workshop import die_with_parent, free_port

ROOT = Path(__file__).resolve().parent.parent
OPTIONS = [(s, u) for s in (1, 2, 3, 4) for u in ("1A", "1B")]
WORKLOAD = "sidebar_workload"  # the sidebar section that holds requests per day (drawn only while open)
FIRST_QUERY = "scenario=1&use_case=1A"
CLK_TCK = os.sysconf("SC_CLK_TCK")
NO_GC = ("--runner.postScriptGC", "false")
GC_ON = ("--runner.postScriptGC", "true")  # the app turns it off in .streamlit/config.toml
_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# --- the server process --------------------------------------------------------------------------------------------
@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    url: str
    log: Path
    start_s: float  # launch -> /_stcore/health answers 200

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def start_server(flags: Sequence[str] = (), *, root: Path = ROOT, port: int | None = None,
                 timeout: float = 60.0) -> Server:
    """`python -m streamlit run app.py` on 127.0.0.1 with extra ``flags``; returns once /_stcore/health is 200."""
    port = port or free_port()
    log = Path(tempfile.mkstemp(prefix="bench_server_", suffix=".log")[1])
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true",
           "--browser.gatherUsageStats", "false", *flags]
    start = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=root, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                preexec_fn=die_with_parent)
    server = Server(proc, f"http://127.0.0.1:{port}/", log, 0.0)
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}:\n{server.log_tail()}")
            if time.perf_counter() - start > timeout:
                raise TimeoutError(f"server not healthy after {timeout:.0f} s:\n{server.log_tail()}")
            try:
                with _HTTP.open(server.url + "_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            time.sleep(0.05)
    except BaseException:
        server.stop()
        raise
    server.start_s = time.perf_counter() - start
    return server


@contextlib.contextmanager
def running_server(flags: Sequence[str] = (), **kwargs: object) -> Iterator[Server]:
    server = start_server(flags, **kwargs)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()


def cpu_s(pid: int) -> tuple[float, float]:
    """(utime+stime, cutime+cstime) of ``pid`` in seconds: the process itself, and its reaped children."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()  # the command name may hold spaces
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])  # fields 14-17 of proc(5), counted from 1
    return (utime + stime) / CLK_TCK, (cutime + cstime) / CLK_TCK


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def quiet_cpu(pid: int, *, poll: float = 0.02, quiet_polls: int = 4, limit: float = 3.0) -> tuple[float, float]:
    """CPU counters once the process has used none for ``quiet_polls`` polls in a row (or after ``limit`` s)."""
    last, same, deadline = cpu_s(pid), 0, time.perf_counter() + limit
    while same < quiet_polls and time.perf_counter() < deadline:
        await asyncio.sleep(poll)
        now = cpu_s(pid)
        same = same + 1 if now == last else 0
        last = now
    return last


# --- one session -----------------------------------------------------------------------------------------------
@dataclass
class Sample:
    run: RunResult
    cpu_finish_ms: float  # server process CPU from send to script_finished
    cpu_ms: float  # ... until the process went quiet afterwards (post-run GC and cleanup included)
    children_ms: float  # CPU of child processes reaped meanwhile (Graphviz `dot`)

    @property
    def wall_ms(self) -> float:
        return self.run.wall_s * 1000


async def measured(pid: int, session: StreamlitSession, **changes: object) -> Sample:
    """One rerun (``changes`` by widget key; none: the first run) with the server's CPU around it."""
    own0, kids0 = await quiet_cpu(pid)
    run = await (session.change(**changes) if changes else session.first_run())
    own1, _ = cpu_s(pid)
    own2, kids2 = await quiet_cpu(pid)
    if run.status != "FINISHED_SUCCESSFULLY" or run.exceptions:
        raise RuntimeError(f"run {changes or 'first'} ended {run.status}: {run.exceptions}")
    return Sample(run, (own1 - own0) * 1000, (own2 - own0) * 1000, (kids2 - kids0) * 1000)


def scenario_label(session: StreamlitSession, scenario: int) -> str:
    return next(o for o in session.options("scenario") if o.startswith(f"Scenario {scenario}:"))


def _check(session: StreamlitSession, key: str, expected: object) -> None:
    """The value the server echoed for ``key`` (widgets bound to session state come back with set_value)."""
    got = session.value(key)
    if got != expected and got != [expected]:
        raise RuntimeError(f"server shows {key}={got!r} after setting {expected!r}")


async def option_change(pid: int, session: StreamlitSession, scenario: int, use_case: str) -> Sample:
    label = scenario_label(session, scenario)
    sample = await measured(pid, session, scenario=label, use_case=[use_case])
    _check(session, "scenario", label)
    _check(session, "use_case", use_case)
    return sample


def pct(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile, linear between closest ranks (the median for 50)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@dataclass
class SessionBench:
    start_s: float
    idle_cpu_ms_per_s: float
    first: Sample
    rss_first: float
    visits: list[Sample]
    cached: list[Sample]
    numbers: list[Sample]
    rss_end: float
    new_sessions: list[Sample]


async def bench_one_server(server: Server, *, cached_changes: int = 16, number_changes: int = 8,
                           new_sessions: int = 3) -> SessionBench:
    pid = server.pid
    a, _ = cpu_s(pid)
    await asyncio.sleep(2.0)
    idle = (cpu_s(pid)[0] - a) * 1000 / 2
    async with StreamlitSession(server.url, FIRST_QUERY, timeout=120) as session:
        first = await measured(pid, session)
        _check(session, "use_case", "1A")
        rss_first = rss_mib(pid)
        visits = [await option_change(pid, session, s, u) for s, u in OPTIONS]  # every option seen once
        cached = [await option_change(pid, session, *OPTIONS[i % len(OPTIONS)]) for i in range(cached_changes)]
        await session.change(**{WORKLOAD: True})  # requests per day is in the sidebar's Workload, drawn while open
        numbers = []
        for i in range(1, number_changes + 1):
            value = 50_000 + i * 137
            numbers.append(await measured(pid, session, requests_per_day=value))
            _check(session, "requests_per_day", float(value))
        rss_end = rss_mib(pid)
    fresh = []
    for _ in range(new_sessions):
        async with StreamlitSession(server.url, FIRST_QUERY, timeout=120) as other:
            fresh.append(await measured(pid, other))
    return SessionBench(server.start_s, idle, first, rss_first, visits, cached, numbers, rss_end, fresh)


def _rows(tag: str, b: SessionBench) -> list[tuple[str, float, str]]:
    med = statistics.median
    c, n, f = b.cached, b.numbers, b.new_sessions
    return [
        (f"[{tag}] server start to healthy", b.start_s, "s"),
        (f"[{tag}] idle server CPU", b.idle_cpu_ms_per_s, "ms/s"),
        (f"[{tag}] first run, fresh process: wall", b.first.wall_ms, "ms"),
        (f"[{tag}] first run, fresh process: server CPU", b.first.cpu_ms, "ms"),
        (f"[{tag}] first run, new session, warm process: wall", med(s.wall_ms for s in f), "ms"),
        (f"[{tag}] first run, new session, warm process: server CPU", med(s.cpu_ms for s in f), "ms"),
        (f"[{tag}] first visit of each option: wall", med(s.wall_ms for s in b.visits), "ms"),
        (f"[{tag}] cached change: wall, median", med(s.wall_ms for s in c), "ms"),
        (f"[{tag}] cached change: wall, p95", pct([s.wall_ms for s in c], 95), "ms"),
        (f"[{tag}] cached change: server CPU to script_finished", med(s.cpu_finish_ms for s in c), "ms"),
        (f"[{tag}] cached change: server CPU incl. after the run", med(s.cpu_ms for s in c), "ms"),
        (f"[{tag}] cached change: server CPU incl. after, mean", statistics.fmean(s.cpu_ms for s in c), "ms"),
        (f"[{tag}] cached change: bytes received", med(s.run.bytes for s in c) / 1024, "KiB"),
        (f"[{tag}] cached change: messages answered from client cache", med(s.run.cache_refs for s in c), "msgs"),
        (f"[{tag}] new numbers change: wall, median", med(s.wall_ms for s in n), "ms"),
        (f"[{tag}] new numbers change: server CPU to script_finished", med(s.cpu_finish_ms for s in n), "ms"),
        (f"[{tag}] new numbers change: server CPU incl. after the run", med(s.cpu_ms for s in n), "ms"),
        (f"[{tag}] new numbers change: child-process CPU (Graphviz)", med(s.children_ms for s in n), "ms"),
        (f"[{tag}] server RSS after the first run", b.rss_first, "MiB"),
        (f"[{tag}] server RSS at the end", b.rss_end, "MiB"),
    ]


CONFIGS: dict[str, tuple[str, ...]] = {"gc on": GC_ON, "gc off": NO_GC}  # Streamlit's default is on


def run_single(rounds: int = 1, configs: dict[str, tuple[str, ...]] = CONFIGS, budget_s: float = 170.0,
               **kwargs: int) -> list[tuple[str, float, str]]:
    """Each config in turn (``rounds`` times, interleaved), one fresh server each; medians over rounds."""
    deadline = time.monotonic() + budget_s
    results: dict[str, list[SessionBench]] = {name: [] for name in configs}
    for _ in range(rounds):
        for name, flags in configs.items():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"benchmark over its {budget_s:.0f} s budget")
            with running_server(flags) as server:
                try:
                    results[name].append(asyncio.run(asyncio.wait_for(bench_one_server(server, **kwargs), remaining)))
                except Exception:
                    print(f"server log ({name}):\n{server.log_tail()}", file=sys.stderr)
                    raise
    rows = []
    for name, benches in results.items():
        per_round = [_rows(name, b) for b in benches]
        rows += [(r[0], statistics.median(x[i][1] for x in per_round), r[2]) for i, r in enumerate(per_round[0])]
    return rows


# --- many sessions -----------------------------------------------------------------------------------------------
@dataclass
class LoadStats:
    first_runs: list[float] = field(default_factory=list)  # seconds
    changes: list[float] = field(default_factory=list)
    bad_status: int = 0
    app_exceptions: int = 0
    timeouts: int = 0
    disconnects: int = 0  # an open session's socket closed
    connect_errors: int = 0  # page, health or websocket handshake failed
    connects: int = 0
    exceptions: Counter[str] = field(default_factory=Counter)  # anything else, by type and message
    reasons: Counter[str] = field(default_factory=Counter)  # why sessions dropped or failed to connect


async def _participant(index: int, url: str, deadline: float, interval: float, timeout: float, stats: LoadStats,
                       rng: random.Random, new_numbers_fraction: float) -> None:
    """One participant: open the page, then change a widget every ``interval`` s until ``deadline``.

    A change waits for the previous run to finish (a person reads the page first). After a timeout or a dropped
    socket the participant reconnects a second later, as a browser tab does, with a new session.
    """
    scenario, use_case = OPTIONS[index % len(OPTIONS)]
    query = f"scenario={scenario}&use_case={use_case}"
    step = index
    await asyncio.sleep(rng.uniform(0, interval))  # people do not click in lockstep
    while time.monotonic() < deadline:
        session = StreamlitSession(url, query, timeout=timeout)
        connected = False
        try:
            await session.connect()
            stats.connects, connected = stats.connects + 1, True
            run = await session.first_run()
            stats.first_runs.append(run.wall_s)
            next_at = time.monotonic() + interval
            while True:
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
                if time.monotonic() >= deadline:
                    return
                next_at = max(next_at + interval, time.monotonic())
                step += 1
                if rng.random() < new_numbers_fraction:
                    changes: dict[str, object] = {"requests_per_day": 20_000 + rng.randrange(1_000_000)}
                    if not session.has_widget("requests_per_day"):
                        changes = {WORKLOAD: True}  # first open the sidebar's Workload, as a person would
                else:
                    s, u = OPTIONS[step % len(OPTIONS)]
                    changes = {"scenario": scenario_label(session, s), "use_case": [u]}
                run = await session.change(**changes)
                stats.changes.append(run.wall_s)
                stats.bad_status += run.status != "FINISHED_SUCCESSFULLY"
                stats.app_exceptions += len(run.exceptions)
        except TimeoutError:
            stats.timeouts += 1
        except (Disconnected, OSError) as exc:
            if connected:
                stats.disconnects += 1
            else:
                stats.connect_errors += 1
            stats.reasons[f"{'dropped' if connected else 'connect'}: {type(exc).__name__}: {str(exc)[:100]}"] += 1
        except Exception as exc:
            stats.exceptions[f"{type(exc).__name__}: {str(exc)[:120]}"] += 1
        finally:
            await session.close()
        await asyncio.sleep(1.0)


async def run_load(url: str, sessions: int, duration: float, *, interval: float = 5.0, timeout: float = 30.0,
                   new_numbers_fraction: float = 0.2, seed: int = 1) -> LoadStats:
    """``sessions`` concurrent participants for ``duration`` s; bounded by duration + timeout + 15 s."""
    stats, rng = LoadStats(), random.Random(seed)
    deadline = time.monotonic() + duration
    tasks = [asyncio.create_task(_participant(i, url, deadline, interval, timeout, stats, random.Random(rng.random()),
                                              new_numbers_fraction)) for i in range(sessions)]
    _, pending = await asyncio.wait(tasks, timeout=duration + timeout + 15)
    for task in pending:
        task.cancel()
        stats.exceptions["cancelled at the hard deadline"] += 1
    await asyncio.gather(*pending, return_exceptions=True)
    return stats


def load_rows(stats: LoadStats, sessions: int, duration: float) -> list[tuple[str, float, str]]:
    ms = [x * 1000 for x in stats.changes]
    first = [x * 1000 for x in stats.first_runs]
    return [
        ("sessions", sessions, ""), ("duration", duration, "s"),
        ("connects (incl. reconnects)", stats.connects, ""),
        ("widget changes completed", len(ms), ""), ("changes per second", len(ms) / duration, "/s"),
        ("change latency p50", pct(ms, 50), "ms"), ("change latency p95", pct(ms, 95), "ms"),
        ("change latency p99", pct(ms, 99), "ms"), ("change latency max", max(ms, default=float("nan")), "ms"),
        ("first run p50", pct(first, 50), "ms"), ("first run p95", pct(first, 95), "ms"),
        ("runs not FINISHED_SUCCESSFULLY", stats.bad_status, ""), ("app exceptions shown", stats.app_exceptions, ""),
        ("timeouts", stats.timeouts, ""), ("disconnects", stats.disconnects, ""),
        ("connect errors", stats.connect_errors, ""),
        ("other exceptions", sum(stats.exceptions.values()), ""),
    ]


def main_load(args: argparse.Namespace) -> None:
    flags = GC_ON if args.gc else NO_GC if args.no_gc else ()  # () = the app's own config
    server = None if args.url else start_server(flags)
    try:
        url = args.url or server.url  # type: ignore[union-attr]
        cpu0 = cpu_s(server.pid)[0] if server else 0.0
        start = time.perf_counter()
        stats = asyncio.run(run_load(url, args.sessions, args.duration, interval=args.interval, timeout=args.timeout,
                                     new_numbers_fraction=args.new_numbers_fraction))
        elapsed = time.perf_counter() - start
        rows = load_rows(stats, args.sessions, args.duration)
        if server:
            rows += [("server CPU (share of one core)", (cpu_s(server.pid)[0] - cpu0) / elapsed * 100, "%"),
                     ("server RSS at the end", rss_mib(server.pid), "MiB")]
        report(f"Load: {args.sessions} sessions, a change every {args.interval:g} s, against {url}", rows)
        for what, count in stats.exceptions.most_common():
            print(f"  exception x{count}: {what}")
        for what, count in stats.reasons.most_common():
            print(f"  {what} (x{count})")
    finally:
        if server:
            server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_server", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="single-session rounds per server config")
    parser.add_argument("--sessions", type=int, default=0, help="run the N-session load test instead")
    parser.add_argument("--duration", type=float, default=60.0, help="load test length (s)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between a participant's changes")
    parser.add_argument("--timeout", type=float, default=30.0, help="per-rerun timeout in the load test (s)")
    parser.add_argument("--new-numbers-fraction", type=float, default=0.2,
                        help="share of load-test changes that set a new requests_per_day (cache misses)")
    parser.add_argument("--url", help="app URL for the load test (default: start a server)")
    parser.add_argument("--no-gc", action="store_true", help="load test: start the server with postScriptGC false")
    parser.add_argument("--gc", action="store_true", help="load test: start the server with postScriptGC true")
    args = parser.parse_args([] if argv is None else argv)  # `python -m bench` calls main() with no arguments
    if args.sessions:
        main_load(args)
        return
    start = time.perf_counter()
    rows = run_single(args.rounds)
    rows.append(("benchmark wall time", time.perf_counter() - start, "s"))
    report("Server over websocket, one session, per rerun (median; p95 where noted)", rows)


if __name__ == "__main__":
    main(sys.argv[1:])

"""A workshop room under load: N participants over Streamlit's websocket, through HAProxy or against one process.

`python -m bench.bench_room --participants 50 --seconds 60 [--soak 600] [--replicas 2 | --direct]` starts a room as
`make workshop` does (deploy/workshop.py: REPLICAS app processes behind HAProxy with cookie affinity), or with
`--direct` one app process that the participants reach without the proxy. Each participant is a browser tab played
over the websocket (bench/ws_session.py, the load loop of bench/bench_server.py): it opens a shared link, then every
`--interval` seconds changes Scenario and Use case, or sets a new requests_per_day (`--new-numbers-fraction`).

It reports the latency from sending a change to `script_finished` (p50/p95/p99), runs that did not finish,
exceptions shown by the app, timeouts, disconnects and connect errors; the app processes' CPU per rerun (utime+stime
from /proc, Graphviz children included, divided by the runs completed) and HAProxy's; the benchmark's own CPU (it
shares the machine); and each app process's RSS every `--sample` seconds. `--soak S` then keeps the same load for S
more seconds and reports each process's RSS at the soak's start, half-way and end, and its growth over the second
half (target: under 10 %). Bounded: at most 200 participants, 2 h, loopback addresses only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.bench_server import LoadStats, cpu_s, load_rows, pct, rss_mib, run_load
from bench.common import machine, report
from deploy.workshop import Room, free_port, running_room

MAX_PARTICIPANTS = 200
MAX_SECONDS = 7200


def loadavg() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def _self_cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


@dataclass
class Phase:
    """One load phase: what the participants saw, and what the processes spent."""

    name: str
    participants: int
    seconds: float
    stats: LoadStats
    app_cpu_s: float  # every app process, children (Graphviz) included
    proxy_cpu_s: float
    bench_cpu_s: float
    elapsed_s: float
    rss: list[tuple[float, list[float]]] = field(default_factory=list)  # (seconds since the start, MiB per process)
    load_before: str = ""
    load_after: str = ""

    @property
    def runs(self) -> int:
        return len(self.stats.changes) + len(self.stats.first_runs)

    def rows(self) -> list[tuple[str, float, str]]:
        rows = load_rows(self.stats, self.participants, self.seconds)
        e = self.elapsed_s
        rows += [
            ("app CPU per rerun (all processes / runs completed)", self.app_cpu_s * 1000 / max(1, self.runs), "ms"),
            ("app processes' CPU (share of one core)", self.app_cpu_s / e * 100, "%"),
            ("HAProxy CPU (share of one core)", self.proxy_cpu_s / e * 100, "%"),
            ("benchmark's own CPU (share of one core)", self.bench_cpu_s / e * 100, "%"),
        ]
        for i, mib in enumerate(self.rss[-1][1] if self.rss else [], start=1):
            first, peak = self.rss[0][1][i - 1], max(s[1][i - 1] for s in self.rss)
            rows.append((f"RSS app{i} (start {first:.0f}, peak {peak:.0f} MiB): at the end", mib, "MiB"))
        return rows

    def to_json(self) -> dict[str, object]:
        out = {k: v for k, v in asdict(self).items() if k != "stats"}
        out["latency_ms"] = {f"p{p}": pct([x * 1000 for x in self.stats.changes], p) for p in (50, 95, 99)}
        out["first_run_ms"] = {f"p{p}": pct([x * 1000 for x in self.stats.first_runs], p) for p in (50, 95)}
        s = self.stats
        out["counts"] = {"changes": len(s.changes), "first_runs": len(s.first_runs), "connects": s.connects,
                         "bad_status": s.bad_status, "app_exceptions": s.app_exceptions, "timeouts": s.timeouts,
                         "disconnects": s.disconnects, "connect_errors": s.connect_errors,
                         "other_exceptions": dict(s.exceptions), "reasons": dict(s.reasons)}
        return out


def soak_growth(rss: Sequence[tuple[float, Sequence[float]]]) -> list[tuple[float, float, float, float]]:
    """Per process: RSS at the start, half-way and end of the series, and the growth over the second half.

    Half-way is the first sample at or after half the series' duration; growth is end ÷ half-way − 1.
    """
    if not rss:
        return []
    half_t = rss[-1][0] / 2
    half = next(s for s in rss if s[0] >= half_t)
    return [(rss[0][1][i], half[1][i], rss[-1][1][i], rss[-1][1][i] / half[1][i] - 1)
            for i in range(len(rss[0][1]))]


async def _sample_rss(pids: Sequence[int], every: float, into: list[tuple[float, list[float]]]) -> None:
    start = time.monotonic()
    while True:
        into.append((round(time.monotonic() - start, 1), [round(rss_mib(p), 1) for p in pids]))
        await asyncio.sleep(every)


async def _phase(url: str, participants: int, seconds: float, pids: Sequence[int], sample: float,
                 args: argparse.Namespace) -> tuple[LoadStats, list[tuple[float, list[float]]]]:
    rss: list[tuple[float, list[float]]] = []
    sampler = asyncio.create_task(_sample_rss(pids, sample, rss))
    try:
        stats = await run_load(url, participants, seconds, interval=args.interval, timeout=args.timeout,
                               new_numbers_fraction=args.new_numbers_fraction, seed=args.seed)
    finally:
        sampler.cancel()
        await asyncio.gather(sampler, return_exceptions=True)
    rss.append((rss[-1][0] + sample if rss else 0.0, [round(rss_mib(p), 1) for p in pids]))
    return stats, rss


def _cpu(pids: Sequence[int]) -> float:
    return sum(sum(cpu_s(p)) for p in pids)


def run_phase(room: Room, name: str, participants: int, seconds: float, args: argparse.Namespace) -> Phase:
    pids = room.app_pids
    url = room.replicas[0].url + "/" if args.direct else room.url + "/"
    before = loadavg()
    app0, proxy0, self0 = _cpu(pids), _cpu([room.proxy.pid]) if room.proxy else 0.0, _self_cpu_s()
    start = time.perf_counter()
    stats, rss = asyncio.run(_phase(url, participants, seconds, pids, args.sample, args))
    elapsed = time.perf_counter() - start
    return Phase(name, participants, seconds, stats, _cpu(pids) - app0,
                 (_cpu([room.proxy.pid]) - proxy0) if room.proxy else 0.0, _self_cpu_s() - self0, elapsed, rss,
                 before, loadavg())


def print_phase(phase: Phase, where: str, args: argparse.Namespace) -> None:
    report(f"{phase.name}: {phase.participants} participants, a change every {args.interval:g} s for "
           f"{phase.seconds:g} s, {where}; load average before {phase.load_before}, after {phase.load_after}",
           phase.rows())
    for what, count in phase.stats.exceptions.most_common():
        print(f"  exception x{count}: {what}")
    for what, count in phase.stats.reasons.most_common():
        print(f"  {what} (x{count})")


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
FIRST_DIAGRAM = """() => {
  const img = document.querySelector('[data-testid=stImage] img');
  return img && img.complete && img.naturalWidth > 0 ? performance.now() : false;
}"""
TITLE = """() => [...document.querySelectorAll('h1')].some(h => h.textContent.includes('Deployment Scenario Explorer'))
  ? performance.now() : false"""


def second_visitors(url: str, visits: int, warm: int, link: str = "/?scenario=3&use_case=1A"
                    ) -> list[tuple[float, float]]:
    """``warm`` first visitors warm the processes (one each); then ``visits`` new visitors (each a fresh browser
    context, nothing cached) open the same link. Returns, per visitor, seconds from navigation to the title and to
    the first diagram drawn."""
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        try:
            for i in range(warm + visits):
                context = browser.new_context(viewport={"width": 1600, "height": 1000})
                page = context.new_page()
                page.goto(url + link, wait_until="commit")
                title = page.wait_for_function(TITLE, polling=50, timeout=120_000).json_value()
                drawn = page.wait_for_function(FIRST_DIAGRAM, polling=50, timeout=120_000).json_value()
                page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=120_000)
                context.close()
                if i >= warm:  # the first visits warm the processes and their caches
                    times.append((title / 1000, drawn / 1000))
        finally:
            browser.close()
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_room", description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the measured run")
    parser.add_argument("--soak", type=float, default=0.0, help="then keep the load this many seconds more")
    parser.add_argument("--replicas", type=int, default=2, help="app processes (make workshop: one per core)")
    parser.add_argument("--direct", action="store_true", help="one app process, reached without the proxy")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between a participant's changes")
    parser.add_argument("--timeout", type=float, default=30.0, help="a rerun taking longer counts as a timeout")
    parser.add_argument("--new-numbers-fraction", type=float, default=0.2,
                        help="share of changes that set a requests_per_day never used before")
    parser.add_argument("--sample", type=float, default=10.0, help="seconds between RSS samples")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--second-visitors", type=int, default=0,
                        help="instead of the load: N new visitors in Chromium, each timed to the first diagram")
    args = parser.parse_args([] if argv is None else argv)
    if not 1 <= args.participants <= MAX_PARTICIPANTS:
        parser.error(f"--participants must be 1 to {MAX_PARTICIPANTS}")
    if not 0 < args.seconds + args.soak <= MAX_SECONDS:
        parser.error(f"--seconds plus --soak must be more than 0 and at most {MAX_SECONDS}")
    replicas = 1 if args.direct else args.replicas
    where = "one app process, direct" if args.direct else f"{replicas} app processes behind HAProxy"
    print(f"Machine: {machine()}; load average at the start {loadavg()}", flush=True)
    # Loopback only: the room listens on 127.0.0.1 and the participants connect there.
    with running_room(replicas, free_port(), address="127.0.0.1") as room:
        if args.second_visitors:
            times = second_visitors(room.replicas[0].url if args.direct else room.url, args.second_visitors,
                                    warm=replicas)
            report(f"Second visitors in Chromium, {where} (load average {loadavg()})", [
                ("title shown, median", statistics.median(t for t, _ in times), "s"),
                ("first diagram drawn, median", statistics.median(d for _, d in times), "s"),
                ("first diagram drawn, slowest", max(d for _, d in times), "s")])
            print("  each visitor (title / first diagram, s): " + ", ".join(f"{t:.2f}/{d:.2f}" for t, d in times))
            return
        phases = [run_phase(room, "Load", args.participants, args.seconds, args)]
        print_phase(phases[0], where, args)
        if args.soak:
            phases.append(run_phase(room, "Soak", args.participants, args.soak, args))
            print_phase(phases[1], where, args)
            print("  soak RSS per process (MiB): start, half-way, end, growth over the second half")
            for i, (a, h, e, g) in enumerate(soak_growth(phases[1].rss), start=1):
                print(f"    app{i}: {a:.0f}, {h:.0f}, {e:.0f}, {g:+.1%}")
            print("  RSS samples (s: MiB per process): "
                  + "; ".join(f"{t:.0f}: {'/'.join(f'{m:.0f}' for m in ms)}" for t, ms in phases[1].rss))
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "where": where, "args": vars(args) | {"json": None},
                                         "phases": [p.to_json() for p in phases]}, indent=1, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])

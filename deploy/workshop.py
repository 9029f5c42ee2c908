"""A room on one machine: N app processes behind HAProxy with cookie affinity (`make workshop`).

`python -m deploy.workshop [--port 8501] [--replicas N] [--address 0.0.0.0]` starts N `streamlit run server.py`
processes on free loopback ports, waits until each answers `/_stcore/health`, then runs HAProxy in the foreground
on PORT. HAProxy inserts a cookie naming the process that served a browser's first request, so every later request
of that browser (static files, the websocket, the media files the process generated) goes to the same process: a
Streamlit session lives in one process's memory and its images are served only by it. A room often shares one NAT
address, so affinity by client address would send everyone to one process. HAProxy checks `/_stcore/health` every
2 s and stops sending new browsers to a process that fails it; the supervisor restarts a process that exits. Ctrl-C
(SIGINT) or SIGTERM stops HAProxy and every app process it started.

Why HAProxy and not nginx: Debian's open-source nginx has no cookie insertion (`sticky cookie` is nginx Plus) and
no active health checks, only passive ones; HAProxy 2.6 (Debian 12) has both, and proxies websockets natively.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AFFINITY_COOKIE = "explorer_replica"
HEALTH = "/_stcore/health"
# Local only: never route the supervisor's health probes through a proxy from the environment.
_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class WorkshopError(RuntimeError):
    """The room could not start: HAProxy missing, a port taken, an app process that never became healthy."""


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((address, 0))
        return s.getsockname()[1]


def die_with_parent() -> None:
    """In a child: get SIGTERM if the supervisor dies without cleaning up (Linux prctl PR_SET_PDEATHSIG)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


def app_command(port: int, address: str = "127.0.0.1", python: str = sys.executable) -> list[str]:
    """The command of one app process: the same server.py and flags as `make run` and the container."""
    return [python, "-m", "streamlit", "run", "server.py", "--server.port", str(port), "--server.address", address,
            "--server.headless", "true", "--browser.gatherUsageStats", "false"]


def haproxy_config(port: int, backends: Sequence[int], *, address: str = "0.0.0.0", affinity: bool = True) -> str:
    """HAProxy's configuration for the room (``affinity=False`` only to show what breaks without it)."""
    servers = "\n".join(
        f"    server app{i} 127.0.0.1:{p} check" + (f" cookie app{i}" if affinity else "")
        for i, p in enumerate(backends, start=1)
    )
    sticky = (f"    cookie {AFFINITY_COOKIE} insert indirect nocache httponly attr \"SameSite=Lax\"\n"
              if affinity else "")
    return f"""\
# Written by deploy/workshop.py for one run; see its docstring.
global
    maxconn 4096
    log stdout format raw local0 notice

defaults
    mode http
    log global
    option dontlognull
    timeout connect 5s
    timeout client 60s
    timeout server 120s
    # A websocket stays open while its tab is: a day of workshop without traffic is still one session.
    timeout tunnel 12h
    timeout client-fin 10s
    # A process that died before its health check failed: try another one (a tab's session starts again there
    # from its URL, which carries the whole assessment) instead of answering 503.
    option redispatch
    retries 2

frontend room
    bind {address}:{port}
    default_backend apps

backend apps
    # A new browser goes to the process with the fewest open connections (each open tab holds one websocket);
    # the cookie then keeps it there.
    balance leastconn
{sticky}    option httpchk GET {HEALTH}
    http-check expect status 200
    default-server inter 2s fall 2 rise 2
{servers}
"""


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with _HTTP.open(url + HEALTH, timeout=timeout) as r:
            return r.status == 200
    except OSError:
        return False


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not healthy(url):
        if proc.poll() is not None:
            raise WorkshopError(f"{what} exited with code {proc.returncode} before it was healthy.")
        if time.monotonic() > deadline:
            raise WorkshopError(f"{what} did not answer {url}{HEALTH} within {timeout:.0f} s.")
        time.sleep(0.1)


@dataclass
class Replica:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    restarts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Room:
    """The running room: its URL, HAProxy and the app processes (``pids`` for the load benchmark)."""

    url: str
    proxy: subprocess.Popen[bytes] | None
    replicas: list[Replica]
    workdir: Path
    cookie_secret: str
    log: Path
    stopped: bool = field(default=False)

    @property
    def app_pids(self) -> list[int]:
        return [r.proc.pid for r in self.replicas]

    def _spawn(self, port: int) -> subprocess.Popen[bytes]:
        out = self.log.open("ab")
        try:
            # One cookie secret for every process (Streamlit takes it only from the environment or a config file):
            # an XSRF cookie one process set is then valid at another.
            env = dict(os.environ, PYTHONUNBUFFERED="1", STREAMLIT_SERVER_COOKIE_SECRET=self.cookie_secret)
            return subprocess.Popen(app_command(port), cwd=ROOT, env=env,
                                    stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    preexec_fn=die_with_parent, start_new_session=True)
        finally:
            out.close()

    def restart_exited(self) -> list[str]:
        """Start again every app process that has exited (HAProxy's check takes it back once healthy)."""
        restarted = []
        for r in self.replicas:
            if r.proc.poll() is not None and not self.stopped:
                r.proc = self._spawn(r.port)
                r.restarts += 1
                restarted.append(f"{r.name} (port {r.port}) exited; restarted")
        return restarted

    def stop(self) -> None:
        """Stop HAProxy, then every app process (SIGTERM, then SIGKILL after 10 s)."""
        self.stopped = True
        procs = [p for p in (self.proxy, *(r.proc for r in self.replicas)) if p is not None]
        for p in procs:
            if p.poll() is None:
                p.terminate()
        deadline = time.monotonic() + 10
        for p in procs:
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
        shutil.rmtree(self.workdir, ignore_errors=True)


def haproxy_binary() -> str:
    found = shutil.which("haproxy") or next((p for p in ("/usr/sbin/haproxy",) if Path(p).exists()), None)
    if not found:
        raise WorkshopError("HAProxy is not installed: `make workshop` installs Debian's haproxy package "
                            "(or run `sudo apt-get install haproxy`).")
    return found


def start_room(replicas: int, port: int, *, address: str = "0.0.0.0", affinity: bool = True,
               timeout: float = 90.0, log: Path | None = None) -> Room:
    """Start ``replicas`` app processes and HAProxy on ``address:port``; return once the proxy answers health."""
    if replicas < 1:
        raise WorkshopError(f"REPLICAS must be 1 or more, not {replicas}.")
    binary = haproxy_binary()
    workdir = Path(tempfile.mkdtemp(prefix="workshop_"))
    log = log or workdir / "apps.log"
    room = Room("", None, [], workdir, secrets.token_hex(32), log)
    try:
        for i in range(1, replicas + 1):
            p = free_port()
            room.replicas.append(Replica(f"app{i}", p, room._spawn(p)))
        for r in room.replicas:
            wait_healthy(r.url, r.proc, timeout, f"App process {r.name} (port {r.port})")
        config = workdir / "haproxy.cfg"
        config.write_text(haproxy_config(port, [r.port for r in room.replicas], address=address, affinity=affinity))
        check = subprocess.run([binary, "-c", "-q", "-f", str(config)], capture_output=True, text=True)
        if check.returncode != 0:
            raise WorkshopError(f"HAProxy refused its configuration: {(check.stderr or check.stdout).strip()}")
        # Own sessions: a terminal's Ctrl-C reaches only the supervisor, which stops the proxy first, then the apps.
        room.proxy = subprocess.Popen([binary, "-db", "-f", str(config)], stdin=subprocess.DEVNULL,
                                      preexec_fn=die_with_parent, start_new_session=True)
        host = "127.0.0.1" if address in ("0.0.0.0", "::", "") else address
        room.url = f"http://{host}:{port}"
        wait_healthy(room.url, room.proxy, 30, f"HAProxy on port {port}")
        return room
    except BaseException:
        room.stop()
        raise


@contextlib.contextmanager
def running_room(replicas: int, port: int | None = None, **kwargs: object) -> Iterator[Room]:
    room = start_room(replicas, port or free_port(), **kwargs)  # type: ignore[arg-type]
    try:
        yield room
    finally:
        room.stop()


def _stop_on_signal(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.workshop", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8501, help="the room's port (default 8501)")
    parser.add_argument("--replicas", type=int, default=os.cpu_count() or 1,
                        help="app processes (default: one per core)")
    parser.add_argument("--address", default="0.0.0.0", help="address HAProxy listens on (default: all)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_signal)
    try:
        room = start_room(args.replicas, args.port, address=args.address, log=None)
    except WorkshopError as exc:
        print(f"make workshop: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    try:  # the banner inside: a Ctrl-C that arrives as soon as it is read is still a clean stop
        print(f"The room is open at http://{socket.gethostname()}:{args.port}/ (here: {room.url}/) with "
              f"{len(room.replicas)} app processes behind HAProxy (cookie affinity). App logs: {room.log}. "
              "Ctrl-C stops everything.", flush=True)
        while True:
            time.sleep(1)
            if room.proxy is not None and room.proxy.poll() is not None:
                print(f"make workshop: HAProxy exited with code {room.proxy.returncode}; stopping.", file=sys.stderr)
                return 1
            for line in room.restart_exited():
                print(f"make workshop: {line}.", file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        print("Stopping the room.", flush=True)
        return 0
    finally:
        room.stop()


if __name__ == "__main__":
    sys.exit(main())

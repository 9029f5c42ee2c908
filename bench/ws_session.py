"""A browser session over Streamlit's websocket protocol, without a browser: first run, widget changes, timings."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import http.cookiejar
import time
import urllib.parse
import urllib.request
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from google.protobuf.message import Message
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

XSRF_COOKIE = "_streamlit_xsrf"
FINISHED_EARLY_FOR_RERUN = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN
STATUS_NAMES = {v.number: v.name for v in ForwardMsg.ScriptFinishedStatus.DESCRIPTOR.values}


T = TypeVar("T")


def run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion on a fresh event loop in its own thread.

    A pytest worker that has run a Playwright test keeps that library's event loop running in its
    main thread, where ``asyncio.run`` refuses to start; a thread of its own has no loop.
    """
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


class ProtocolError(RuntimeError):
    """The server said something a browser would not accept (e.g. a reference to a message it never sent)."""


class Disconnected(ProtocolError):
    """The websocket closed (server restart, proxy timeout, overload)."""


@dataclass
class RunResult:
    """One script run as the client saw it."""

    wall_s: float  # BackMsg sent -> script_finished received
    status: str  # ScriptFinishedStatus name
    messages: int = 0
    bytes: int = 0
    cache_refs: int = 0  # ForwardMsgs that came as ref_hash (answered from the client's cache)
    first_delta_s: float | None = None
    exceptions: list[str] = field(default_factory=list)  # st.exception elements: the app raised, the run went on


@dataclass
class _Widget:
    kind: str  # the Element oneof name: selectbox, button_group, number_input, ...
    proto: Any
    state: WidgetState | None  # what the browser would send back; None for widgets that keep none (buttons)


@dataclass
class _CachedMsg:
    data: bytes
    run_count: int  # the client's run counter when the message was last used


@dataclass
class _Run:
    started: float
    done: asyncio.Future[ForwardMsg]
    seen_widgets: set[str] = field(default_factory=set)
    messages: int = 0
    bytes: int = 0
    cache_refs: int = 0
    first_delta: float | None = None
    exceptions: list[str] = field(default_factory=list)


def _opt(msg: Message, name: str) -> bool:
    """Whether an optional scalar field is set (proto3 ``optional``)."""
    return msg.HasField(name)


def initial_state(kind: str, proto: Any) -> WidgetState | None:
    """The WidgetState a browser's widget commits when mounted (its set value, else its default), or None."""
    ws = WidgetState(id=proto.id)
    if kind in ("selectbox", "radio"):
        if proto.set_value:
            if not _opt(proto, "raw_value"):
                return None
            ws.string_value = proto.raw_value
        elif _opt(proto, "default") and 0 <= proto.default < len(proto.options):
            ws.string_value = proto.options[proto.default]
        else:
            return None
    elif kind == "button_group":
        values = list(proto.raw_values) if proto.set_value else [proto.options[i].content for i in proto.default]
        ws.string_array_value.data.extend(values)
    elif kind == "multiselect":
        values = list(proto.raw_values) if proto.set_value else [proto.options[i] for i in proto.default]
        ws.string_array_value.data.extend(values)
    elif kind == "number_input":
        name = "value" if proto.set_value else "default"
        if not _opt(proto, name):
            return None
        ws.double_value = getattr(proto, name)
    elif kind == "slider":
        ws.double_array_value.data.extend(proto.value if proto.set_value else proto.default)
    elif kind == "checkbox":
        ws.bool_value = proto.value if proto.set_value else proto.default
    elif kind in ("text_input", "text_area", "time_input"):
        name = "value" if proto.set_value else "default"
        if not _opt(proto, name):
            return None
        ws.string_value = getattr(proto, name)
    elif kind == "color_picker":
        ws.string_value = proto.value if proto.set_value else proto.default
    else:
        # Buttons send a trigger only when clicked; download buttons with ignore_rerun, file uploaders with no file
        # and charts without selections send nothing on their own.
        return None
    return ws


def user_key(widget_id: str) -> str:
    """The user key in a widget id ``$$ID-<hash>-<key>`` ("None" for widgets without a key)."""
    return widget_id.split("-", 2)[2] if widget_id.count("-") >= 2 else widget_id


class StreamlitSession:
    """One browser tab: an HTTP visit for the cookie, a websocket, the widget states and message cache it keeps.

    ``base_url`` is the app's address, e.g. ``http://127.0.0.1:8501/`` (a path prefix such as a proxy's
    ``/app/`` is kept). Use ``async with StreamlitSession(url, query) as s: await s.first_run(); await s.change(...)``.
    """

    def __init__(self, base_url: str, query_string: str = "", *, timeout: float = 60.0, max_size: int = 64 << 20):
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.query_string = query_string
        self.timeout = timeout
        self.max_size = max_size
        self.ws: ClientConnection | None = None
        self.widgets: dict[str, _Widget] = {}  # widget id -> proto and state
        self.page_script_hash = ""
        self.max_cached_message_age = 2
        self.session_id = ""
        self.closed_reason: str | None = None
        self.cookies = http.cookiejar.CookieJar()  # a tab's cookies: a reconnect is a new tab, with none
        self._cache: dict[str, _CachedMsg] = {}
        self._run_count = 0
        self._run: _Run | None = None
        self._reader: asyncio.Task[None] | None = None
        self._got_new_session = False

    # --- connection --------------------------------------------------------------------------------------------
    def _http_visit(self) -> str:
        """GET the page and /_stcore/health as a browser does, keeping every cookie (the XSRF token, and a proxy's
        affinity cookie, which sends the later requests and the websocket to the same app process)."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                             urllib.request.HTTPCookieProcessor(self.cookies))
        page = self.base_url + (f"?{self.query_string}" if self.query_string else "")
        with opener.open(page, timeout=self.timeout) as r:
            r.read()
        with opener.open(self.base_url + "_stcore/health", timeout=self.timeout) as r:
            r.read()
        return next((c.value for c in self.cookies if c.name == XSRF_COOKIE), "") or ""

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.cookies)

    async def connect(self) -> None:
        xsrf = await asyncio.to_thread(self._http_visit)
        parts = urllib.parse.urlsplit(self.base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        ws_url = urllib.parse.urlunsplit((scheme, parts.netloc, parts.path + "_stcore/stream", "", ""))
        origin = f"{parts.scheme}://{parts.netloc}"
        headers = {"Cookie": self.cookie_header()} if len(self.cookies) else {}
        # The browser passes the XSRF token as the second subprotocol (the first is the one the server selects).
        protocols = ["streamlit", xsrf] if xsrf else ["streamlit"]
        self.ws = await connect(ws_url, origin=origin, subprotocols=protocols, additional_headers=headers,  # type: ignore[arg-type]
                                proxy=None, max_size=self.max_size, open_timeout=self.timeout)
        self._reader = asyncio.create_task(self._read_loop(), name="st-session-reader")

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        self.ws = None
        self._reader = None

    async def __aenter__(self) -> StreamlitSession:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- receiving ---------------------------------------------------------------------------------------------
    async def _read_loop(self) -> None:
        assert self.ws is not None
        try:
            async for data in self.ws:
                if isinstance(data, bytes):
                    self._on_message(data)
            self._fail(Disconnected(f"websocket closed by server: {self.ws.close_code} {self.ws.close_reason}"))
        except ConnectionClosed as exc:
            self._fail(Disconnected(f"websocket closed: {exc}"))
        except Exception as exc:  # a decoding error or cache miss: surface it to the waiting run
            self._fail(exc)

    def _fail(self, exc: Exception) -> None:
        self.closed_reason = str(exc)
        if self._run is not None and not self._run.done.done():
            self._run.done.set_exception(exc)

    def _on_message(self, data: bytes) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(data)
        run = self._run
        if run is not None:
            run.messages += 1
            run.bytes += len(data)
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            cached = self._cache.get(msg.ref_hash)
            if cached is None:
                raise ProtocolError(f"cached ForwardMsg miss for hash {msg.ref_hash}")
            cached.run_count = self._run_count
            full = ForwardMsg()
            full.ParseFromString(cached.data)
            full.metadata.CopyFrom(msg.metadata)  # the reference carries this run's delta path
            if run is not None:
                run.cache_refs += 1
            msg, kind = full, full.WhichOneof("type")
        elif msg.metadata.cacheable and msg.hash and msg.hash not in self._cache:
            self._cache[msg.hash] = _CachedMsg(data, self._run_count)

        if kind == "new_session":
            self._got_new_session = True
            self.session_id = msg.new_session.initialize.session_id or self.session_id
            self.page_script_hash = msg.new_session.page_script_hash
            if msg.new_session.config.max_cached_message_age:
                self.max_cached_message_age = msg.new_session.config.max_cached_message_age
        elif kind == "navigation":
            self.page_script_hash = msg.navigation.page_script_hash  # the page st.navigation ran
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string  # the app wrote st.query_params; the URL follows
        elif kind == "delta":
            if run is not None and run.first_delta is None:
                run.first_delta = time.perf_counter()
            delta_kind = msg.delta.WhichOneof("type")
            if delta_kind == "new_element":
                self._on_element(msg.delta.new_element, run)
            elif delta_kind == "add_block":
                self._on_block(msg.delta.add_block, run)
        elif kind == "script_finished":
            if msg.script_finished != FINISHED_EARLY_FOR_RERUN:
                self._after_run(run)
            if run is not None and not run.done.done() and msg.script_finished != FINISHED_EARLY_FOR_RERUN:
                run.done.set_result(msg)

    def _on_element(self, element: Any, run: _Run | None) -> None:
        kind = element.WhichOneof("type")
        if kind == "exception" and run is not None:
            run.exceptions.append(f"{element.exception.type}: {element.exception.message}")
        proto = getattr(element, kind, None)
        widget_id = getattr(proto, "id", "") if proto is not None else ""
        if not widget_id.startswith("$$ID-"):
            return
        if run is not None:
            run.seen_widgets.add(widget_id)
        known = self.widgets.get(widget_id)
        # A mounted widget keeps the user's value unless the server sets one (set_value: session state wrote it).
        if known is None or getattr(proto, "set_value", False) or known.state is None:
            state = initial_state(kind, proto)
        else:
            state = known.state
        self.widgets[widget_id] = _Widget(kind, proto, state)

    def _on_block(self, block: Any, run: _Run | None) -> None:
        """Expanders and tabs with a key are widgets too (``on_change="rerun"``): the browser sends their state once
        the user opens one, and keeps it while they stay drawn."""
        kind = block.WhichOneof("type")
        if kind not in ("expandable", "tab_container"):
            return
        proto = getattr(block, kind)
        if not proto.id.startswith("$$ID-"):
            return
        if run is not None:
            run.seen_widgets.add(proto.id)
        known = self.widgets.get(proto.id)
        self.widgets[proto.id] = _Widget(kind, proto, known.state if known is not None else None)

    def _after_run(self, run: _Run | None) -> None:
        """What the browser does when a run finishes: drop widgets not drawn this run, age the message cache."""
        if run is not None:
            for widget_id in list(self.widgets):
                if widget_id not in run.seen_widgets:
                    del self.widgets[widget_id]
        if self._got_new_session:
            self._run_count += 1
            for h in [h for h, m in self._cache.items() if self._run_count - m.run_count > self.max_cached_message_age]:
                del self._cache[h]

    # --- sending -----------------------------------------------------------------------------------------------
    def _client_state(self) -> ClientState:
        cs = ClientState(query_string=self.query_string, page_script_hash=self.page_script_hash)
        # Before the first run the browser names no page hash and sends the URL's page name ("" for the default /).
        cs.page_name = ""
        cs.widget_states.widgets.extend(w.state for w in self.widgets.values() if w.state is not None)
        cs.cached_message_hashes.extend(self._cache)
        ctx = cs.context_info
        ctx.timezone, ctx.timezone_offset, ctx.locale = "UTC", 0, "en-US"
        ctx.url = self.base_url + (f"?{self.query_string}" if self.query_string else "")
        ctx.is_embedded, ctx.color_scheme = False, "light"
        return cs

    async def rerun(self) -> RunResult:
        """Send ``rerun_script`` with every widget's current state; wait for ``script_finished``."""
        if self.ws is None:
            raise Disconnected("not connected")
        if self.closed_reason:
            raise Disconnected(self.closed_reason)
        back = BackMsg()
        back.rerun_script.CopyFrom(self._client_state())
        self._got_new_session = False
        run = _Run(time.perf_counter(), asyncio.get_running_loop().create_future())
        self._run = run
        try:
            await self.ws.send(back.SerializeToString())
            finished = await asyncio.wait_for(run.done, self.timeout)
        except ConnectionClosed as exc:
            raise Disconnected(f"websocket closed: {exc}") from exc
        finally:
            self._run = None
        end = time.perf_counter()
        return RunResult(end - run.started, STATUS_NAMES.get(finished.script_finished, str(finished.script_finished)),
                         run.messages, run.bytes, run.cache_refs,
                         None if run.first_delta is None else run.first_delta - run.started, run.exceptions)

    async def first_run(self) -> RunResult:
        """The run a new tab asks for once connected (widget states empty, the URL's query string)."""
        return await self.rerun()

    # --- widgets -----------------------------------------------------------------------------------------------
    def widget(self, key: str) -> _Widget:
        for widget_id, w in self.widgets.items():
            if user_key(widget_id) == key:
                return w
        raise KeyError(f"no widget with key {key!r} in the last run (keys: {sorted(map(user_key, self.widgets))})")

    def has_widget(self, key: str) -> bool:
        return any(user_key(widget_id) == key for widget_id in self.widgets)

    def options(self, key: str) -> list[str]:
        """A selectbox's, radio's or button group's option labels as the browser shows them."""
        w = self.widget(key)
        if w.kind == "button_group":
            return [o.content for o in w.proto.options]
        return list(w.proto.options)

    def value(self, key: str) -> Any:
        state = self.widget(key).state
        if state is None:
            return None
        kind = state.WhichOneof("value")
        value = getattr(state, kind) if kind else None
        return list(value.data) if hasattr(value, "data") else value

    def set_value(self, key: str, value: Any) -> None:
        """Change a widget as a user would: a selectbox/radio takes its option label, a button group or multiselect
        a list of labels (or one label), a number input or slider a number (or list), a checkbox or an expander a
        bool (open), a tab container its tab's label."""
        w = self.widget(key)
        ws = WidgetState(id=w.proto.id)
        if w.kind in ("selectbox", "radio", "text_input", "text_area", "color_picker", "time_input"):
            if w.kind in ("selectbox", "radio") and value not in w.proto.options:
                raise ValueError(f"{value!r} is not an option of {key!r}: {list(w.proto.options)}")
            ws.string_value = value
        elif w.kind in ("button_group", "multiselect"):
            ws.string_array_value.data.extend([value] if isinstance(value, str) else value)
        elif w.kind == "number_input":
            ws.double_value = float(value)
        elif w.kind == "slider":
            ws.double_array_value.data.extend(value if isinstance(value, list | tuple) else [value])
        elif w.kind in ("checkbox", "expandable"):
            ws.bool_value = bool(value)
        elif w.kind == "tab_container":
            ws.string_value = value
        else:
            raise ValueError(f"cannot set a {w.kind} ({key!r})")
        w.state = ws

    async def change(self, **values: Any) -> RunResult:
        """Set widgets by key (``scenario="Scenario 3: ..."``, ``requests_per_day=60_000``) and rerun."""
        for key, value in values.items():
            self.set_value(key, value)
        return await self.rerun()

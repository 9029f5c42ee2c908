"""A new visitor's first paint: the Explorer's first run sends the diagram and no chart; the charts follow at once in a
second run (pages/parts/paint.py). Checked over the websocket, message by message, against a running server."""

from __future__ import annotations

from typing import Any

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.bench_server import WORKLOAD
from bench.ws_session import StreamlitSession, run_coroutine
from tests.conftest import running_app

EARLY = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN


class Recording(StreamlitSession):
    """A session that notes each new element's kind and each script_finished, in the order they arrive."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.log: list[str] = []

    def _on_message(self, data: bytes) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(data)
        kind = msg.WhichOneof("type")
        if kind == "script_finished":
            self.log.append("early" if msg.script_finished == EARLY else "finished")
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self.log.append(msg.delta.new_element.WhichOneof("type"))
        super()._on_message(data)


def test_first_run_draws_the_diagram_and_the_charts_follow():
    async def visit(url: str) -> tuple[list[str], list[str]]:
        async with Recording(url + "/", "scenario=3&use_case=1A", timeout=120) as s:
            run = await s.first_run()
            assert run.status == "FINISHED_SUCCESSFULLY" and run.exceptions == []
            first = list(s.log)
            await s.change(**{WORKLOAD: True})  # requests per day is in the sidebar's Workload, drawn while open
            s.log.clear()
            await s.change(requests_per_day=61_234)
            return first, list(s.log)

    with running_app() as url:
        first, change = run_coroutine(visit(url))
    assert first.count("early") == 1
    painted, follow_up = first[: first.index("early")], first[first.index("early") + 1:]
    assert "imgs" in painted  # the architecture diagram (st.image)
    assert "plotly_chart" not in painted
    assert follow_up.count("plotly_chart") == 2  # the radar and the cost chart in sight (tabs are lazy)
    assert follow_up[-1] == "finished"
    # Later runs draw their charts at once, in one run.
    assert "early" not in change and change.count("plotly_chart") == 2


def test_follow_up_delay_reads_its_variable_and_stays_within_bounds(monkeypatch):
    from pages.parts import paint

    for raw, seconds in (("0.5", 0.5), ("0", 0.0), ("-3", 0.0), ("99", 5.0), ("soon", 1.0), ("nan", 1.0), ("inf", 5.0)):
        monkeypatch.setenv("EXPLORER_FOLLOW_UP_DELAY_S", raw)
        assert paint._delay_s() == seconds, raw
    monkeypatch.delenv("EXPLORER_FOLLOW_UP_DELAY_S")
    assert paint._delay_s() == 1.0

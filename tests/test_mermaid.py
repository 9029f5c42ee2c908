"""Mermaid source: structure of the three diagram types, and escaping of anything a user types."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer import Assessment
from explorer.engine.decision import decide
from explorer.render import view_source
from explorer.render.mermaid import MAX_TEXT, escape

SYNTAX = set('"<>%{}[]|;`\\&')


@given(st.text(max_size=400))
@settings(max_examples=200, deadline=None)
def test_escaped_text_has_no_syntax_characters_and_one_line(text):
    out = escape(text)
    assert "\n" not in out and "\r" not in out
    # Every "#" starts an entity code; no raw syntax character survives.
    stripped = re.sub(r"#(?:\d+|quot|lt|gt);", "", out)
    assert not (set(stripped) & SYNTAX)
    assert "#" not in stripped


def test_escape_examples():
    assert escape('Say "hi"') == "Say #quot;hi#quot;"
    assert escape("%%{init: x}%%") == "#37;#37;#123;init: x#125;#37;#37;"
    assert escape("<script>") == "#lt;script#gt;"
    assert escape("a;b#c") == "a#59;b#35;c"
    assert escape("line\nbreak\ttab") == "line break tab"
    assert escape("銀行 Банк") == "銀行 Банк"
    long = escape("x" * 500)
    assert len(long) == MAX_TEXT and long.endswith("…")


def test_flowchart_matches_the_seed(catalog):
    src = view_source(decide(catalog, Assessment(scenario=1, use_case="1A")), "flowchart", fmt="mermaid")
    assert src.startswith("graph TD\n")
    assert src.count("subgraph ") == 4 and src.count("\n    end") == 4
    assert 'S4_data["Data location: Exchanged between both"]' in src
    assert 'S1_training["Training: Not specified, resolved: Public cloud"]' in src
    assert src.count(" --> ") == 12


def test_c4_context_nests_the_premises_in_the_cloud(catalog):
    d = decide(catalog, Assessment(customer="Acme", scenario=4, use_case="1A"))
    src = view_source(d, "c4-context", fmt="mermaid")
    lines = src.splitlines()
    assert lines[0] == "C4Context"
    cloud = next(i for i, line in enumerate(lines) if line.startswith("Enterprise_Boundary(cloud"))
    premises = next(i for i, line in enumerate(lines) if "Enterprise_Boundary(premises" in line)
    assert cloud < premises
    assert 'System_Ext(serving, "Model serving"' in src  # serving is in the cloud in scenario 4
    assert 'Enterprise_Boundary(premises, "Acme premises")' in src
    assert src.count("{") == src.count("}") == 2


@pytest.mark.parametrize("overlay", [False, True])
def test_sequence_groups_participants_by_zone(catalog, overlay):
    d = decide(catalog, Assessment(scenario=4, use_case="1A"))
    src = view_source(d, "sequence", fmt="mermaid", overlay=overlay)
    assert src.startswith("sequenceDiagram\n")
    assert src.count("    box ") == 2 and src.count("\n    end") == 2
    assert "actor users as Enterprise users" in src
    assert "-->>users: Answers" in src
    assert ("Note over" in src) == overlay


def test_hostile_customer_in_c4_title_and_boundary(catalog):
    a = Assessment(customer='Evil" ) } %%{init}%% <img src=x>', scenario=1)
    src = view_source(decide(catalog, a), "c4-context", fmt="mermaid")
    assert "Evil#quot; ) #125; #37;#37;#123;init#125;#37;#37; #lt;img src=x#gt; premises" in src
    assert src.count('"') % 2 == 0

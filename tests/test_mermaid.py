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
    # Top to bottom, one row per scenario in order 1 to 4, each row's stages left to right.
    assert src.startswith("flowchart TB\n")
    assert src.count("subgraph ") == 4 and src.count("\n    end") == 4 and src.count("direction LR") == 4
    assert [int(n) for n in re.findall(r"subgraph S(\d)", src)] == [1, 2, 3, 4]
    assert "    S1 ~~~ S2 ~~~ S3 ~~~ S4\n" in src
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
    # C4 never decodes entity codes, so its text is kept as typed but for look-alikes of the few characters
    # that would end a quoted string, start a directive or (in the unquoted title) a statement or HTML.
    a = Assessment(customer='Evil" ) } %%{init}%% <img src=x>; #59;', scenario=1)
    src = view_source(decide(catalog, a), "c4-context", fmt="mermaid")
    assert 'Enterprise_Boundary(premises, "Evil\' ) } ％％{init}％％ ＜img src=x＞; ＃59; premises")' in src
    assert "title System context: Evil' ) } ％％{init}％％ ＜img src=x＞, ＃59,: Scenario 1" in src
    assert src.count('"') % 2 == 0 and "%%" not in src and "#59;" not in src


def test_c4_context_draws_two_way_data_as_birel(catalog):
    src = view_source(decide(catalog, Assessment(scenario=4, use_case="1A")), "c4-context", fmt="mermaid")
    assert re.search(r'^BiRel\(data, data_cloud, "Corporate data kept in sync: 160 MB per day", '
                     r'"Secure connection"\)$', src, re.M)
    assert src.count("BiRel(") == 1  # every other relation carries data one way


def test_sequence_box_label_keeps_its_brackets_apart_from_the_colour(catalog):
    src = view_source(decide(catalog, Assessment(scenario=4, use_case="1A")), "sequence", fmt="mermaid")
    assert "    box rgb(238,244,251) Public cloud #40;AWS#41;\n" in src

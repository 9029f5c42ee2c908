"""Which edges of a Graphviz layout cross: the splines as drawn, read from ``dot -Tjson``.

A diagram's layout is chosen among a few (see ``explorer.render.c4``) for the fewest crossings first; the
tests hold every view to none where Graphviz can avoid them.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

Point = tuple[float, float]
Link = tuple[str, str]


def _bezier(points: list[list[float]], steps: int = 12) -> list[Point]:
    """A Graphviz B-spline (cubic pieces sharing end points) as a polyline."""
    out: list[Point] = []
    for i in range(0, len(points) - 3, 3):
        p0, p1, p2, p3 = points[i:i + 4]
        for k in range(steps + 1):
            t = k / steps
            a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t ** 3
            out.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    return out


def drawn_edges(layout: dict[str, Any]) -> dict[Link, dict[str, Any]]:
    """The edges Graphviz draws, by (tail, head) name. Invisible edges only rank the nodes; they are not drawn."""
    names = {o["_gvid"]: o["name"] for o in layout.get("objects", [])}
    return {(names[e["tail"]], names[e["head"]]): e for e in layout.get("edges", [])
            if "invis" not in e.get("style", "")}


def spline(edge: dict[str, Any]) -> list[Point]:
    """An edge's drawn line (its B-spline, not its arrowheads) as a polyline, in points."""
    return [p for op in edge.get("_draw_", []) if op["op"] in ("b", "B") for p in _bezier(op["points"])]


def _segments_cross(a: Point, b: Point, c: Point, d: Point) -> bool:
    def side(p: Point, q: Point, r: Point) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    return side(a, b, c) * side(a, b, d) < 0 and side(c, d, a) * side(c, d, b) < 0


def lines_cross(one: list[Point], two: list[Point]) -> bool:
    """Whether two polylines cross (touching at an end point is not crossing)."""
    return any(_segments_cross(a, b, c, d) for a, b in itertools.pairwise(one) for c, d in itertools.pairwise(two))


def crossings(layout: dict[str, Any] | str) -> list[tuple[Link, Link]]:
    """Every pair of drawn edges whose splines cross in a layout (``dot -Tjson``, parsed or not). Edges that
    share a node meet there, which is not a crossing."""
    parsed = json.loads(layout) if isinstance(layout, str) else layout
    drawn = {key: spline(e) for key, e in drawn_edges(parsed).items()}
    return [(k1, k2) for (k1, s1), (k2, s2) in itertools.combinations(drawn.items(), 2)
            if not set(k1) & set(k2) and lines_cross(s1, s2)]

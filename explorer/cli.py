"""The command line: the same engine without a browser (`python -m explorer ...`)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from explorer.assessment import load_assessment
from explorer.catalog import STAGES, load_catalog
from explorer.errors import ExplorerError, ExportError, UnknownChoiceError
from explorer.placement import place
from explorer.render import FORMATS, VIEWS, check_view_format, render_view

EXPORT_VIEWS = (*VIEWS, "report")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one plain sentence and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message}\n")


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def cmd_validate(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.data)
    print(
        f"Catalogs in {catalog.data_dir} are valid: {len(catalog.scenarios)} scenarios, "
        f"{len(catalog.use_cases)} use cases, {len(catalog.criteria)} criteria, {len(catalog.models)} models, "
        f"{len(catalog.gpus)} GPUs, {len(catalog.presets)} presets."
    )
    for preset in catalog.presets:
        load_assessment(f"preset:{preset.id}", catalog)
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.data)
    rows = [
        {
            "id": s.id,
            "name": s.name,
            "description": s.description,
            "locality": s.locality,
            "stages": {stage: s.stages.get(stage) for stage in STAGES},
        }
        for s in catalog.scenarios
    ]
    if args.json:
        _print_json(rows)
    else:
        for r in rows:
            stages = ", ".join(f"{k} {v}" for k, v in r["stages"].items())
            print(f"Scenario {r['id']}: {r['name']} ({stages})")
    return 0


def cmd_place(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.data)
    assessment = load_assessment(args.assessment, catalog)
    result = place(catalog, assessment)
    data = {
        "options": [
            {
                "scenario": o.scenario,
                "use_case": o.use_case,
                "stages": {s: p.location for s, p in o.stages.items()},
                "stage_reasons": {s: p.reason for s, p in o.stages.items()},
                "conflicts": list(o.conflicts),
                "flows": [
                    {"id": f.id, "what": f.what, "source": f.source, "target": f.target, "direction": f.direction,
                     "bytes_per_event": f.bytes_per_event, "events_per_month": f.events_per_month,
                     "bytes_per_month": f.bytes_per_month, "cadence": f.cadence}
                    for f in o.flows
                ],
                "feasible": o.feasible,
                "violations": [{"rule": v.rule, "message": v.message} for v in o.violations],
                "score": o.score,
                "reasons": list(o.reasons),
            }
            for o in result.options
        ],
        "recommended": (
            {"scenario": result.recommended.scenario, "use_case": result.recommended.use_case,
             "reasons": list(result.recommended.reasons)}
            if result.recommended
            else None
        ),
    }
    if args.json:
        _print_json(data)
    else:
        for o in data["options"]:
            mark = "feasible" if o["feasible"] else "ruled out"
            print(f"Scenario {o['scenario']} / {o['use_case']}: {o['stages']} score {o['score']:.0f} ({mark})")
        best = data["recommended"]
        if best:
            print(f"Recommended: scenario {best['scenario']}, use case {best['use_case']}")
    return 0


def check_writable(out: Path) -> Path:
    """The directory ``out`` will be written in, after checking it exists and can be written."""
    directory = out.parent if str(out.parent) else Path(".")
    if not directory.is_dir():
        raise ExportError(f"Output path {out}: the directory {directory} does not exist.")
    if not os.access(directory, os.W_OK):
        raise ExportError(f"Output path {out}: the directory {directory} is not writable.")
    if out.is_dir():
        raise ExportError(f"Output path {out} is a directory; give a file name.")
    return directory


def write_atomically(out: Path, payload: bytes) -> None:
    """Write ``payload`` to ``out`` whole or not at all: no partial file is ever left behind."""
    directory = check_writable(out)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        os.replace(tmp, out)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"Output path {out} could not be written ({exc.strerror}).") from None


def check_export(view: str, fmt: str) -> None:
    """The report is a PDF; every other view has the formats render.VIEW_FORMATS lists."""
    if view == "report":
        if fmt != "pdf":
            raise ExportError(f"The report is exported only as pdf, not {fmt}.")
        return
    if view not in VIEWS:
        raise UnknownChoiceError("view", view, EXPORT_VIEWS)
    check_view_format(view, fmt)


def cmd_export(args: argparse.Namespace) -> int:
    check_export(args.view, args.format)
    out = Path(args.out)
    check_writable(out)  # fail before the (slow) drawing, not after it
    catalog = load_catalog(args.data)
    assessment = load_assessment(args.assessment, catalog)
    if args.view == "report":
        from explorer.report import build_report

        payload = build_report(catalog, assessment)
    else:
        payload = render_view(catalog, assessment, args.view, args.format, overlay=args.overlay)
    write_atomically(out, payload)
    print(f"Wrote {args.view} as {args.format} to {args.out} ({len(payload):,} bytes).")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m explorer", description=__doc__)
    parser.add_argument("--data", default=None, help="catalog directory (default: the project's data/)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("validate", help="check every catalog file and preset")
    p.add_argument("--data", default=argparse.SUPPRESS, help="catalog directory")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("scenarios", help="the four scenarios and their stage localities")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_scenarios)

    p = sub.add_parser("place", help="place every scenario and use case for an assessment")
    p.add_argument("assessment", help="a YAML/JSON file or preset:<id>")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_place)

    p = sub.add_parser("export", help="export one diagram view, or the whole report")
    p.add_argument("assessment", help="a YAML/JSON file or preset:<id>")
    p.add_argument("--view", required=True, help=f"one of {', '.join(EXPORT_VIEWS)}")
    p.add_argument("--format", required=True,
                   help=f"one of {', '.join(FORMATS)} (mermaid: flowchart, c4-context, sequence; report: pdf)")
    p.add_argument("--out", required=True, help="output file")
    p.add_argument("--overlay", action="store_true", help="show data classification and residency on the diagram")
    p.set_defaults(func=cmd_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ExplorerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away; that is not an error of ours.
        sys.stderr.close()
        return 0

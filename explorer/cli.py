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
from explorer.errors import ExplorerError, ExportError
from explorer.placement import no_option_message, place
from explorer.render import FORMATS, VIEWS, render_view


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
    from explorer.thresholds import decision_thresholds, flip_table

    thresholds = decision_thresholds(catalog, assessment, result=result)
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
                "cautions": [{"rule": v.rule, "message": v.message, "penalty": v.penalty} for v in o.cautions],
                "score": round(o.score, 1),
                "governance_score": round(o.governance_score, 1),
                "penalty": o.penalty,
                "rated_as": o.rated_as,
                "reasons": list(o.reasons),
            }
            for o in result.options
        ],
        "recommended": (
            {"scenario": result.recommended.scenario, "use_case": result.recommended.use_case,
             "reasons": list(result.recommended.reasons), "runner_up": result.recommended.runner_up}
            if result.recommended
            else None
        ),
        "contradictions": list(result.contradictions),
        "relax": [r.model_dump() for r in result.relax],
        "thresholds": flip_table(thresholds),
    }
    if args.json:
        _print_json(data)
    else:
        for sentence in result.contradictions:
            print(f"Contradiction: {sentence}")
        for o in data["options"]:
            mark = "feasible" if o["feasible"] else "ruled out"
            print(f"Scenario {o['scenario']} / {o['use_case']}: {o['stages']} score {o['score']:.0f} ({mark})")
            for v in o["violations"]:
                print(f"  - {v['message']}")
        best = data["recommended"]
        if best:
            print(f"Recommended: scenario {best['scenario']}, use case {best['use_case']}")
            for reason in best["reasons"][:3]:
                print(f"  {reason}")
        else:
            print(no_option_message(result))
        for t in thresholds[:5]:
            print(f"What would flip it: {t.message}")
    return 0


def write_atomically(out: Path, payload: bytes) -> None:
    """Write ``payload`` to ``out`` whole or not at all: no partial file is ever left behind."""
    directory = out.parent if str(out.parent) else Path(".")
    if not directory.is_dir():
        raise ExportError(f"Output path {out}: the directory {directory} does not exist.")
    if not os.access(directory, os.W_OK):
        raise ExportError(f"Output path {out}: the directory {directory} is not writable.")
    if out.is_dir():
        raise ExportError(f"Output path {out} is a directory; give a file name.")
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        os.replace(tmp, out)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"Output path {out} could not be written ({exc.strerror}).") from None


def cmd_export(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.data)
    assessment = load_assessment(args.assessment, catalog)
    payload = render_view(catalog, assessment, args.view, args.format)
    write_atomically(Path(args.out), payload)
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

    p = sub.add_parser("export", help="export one diagram view")
    p.add_argument("assessment", help="a YAML/JSON file or preset:<id>")
    p.add_argument("--view", required=True, choices=VIEWS)
    p.add_argument("--format", required=True, choices=FORMATS)
    p.add_argument("--out", required=True, help="output file")
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

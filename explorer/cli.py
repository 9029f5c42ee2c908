"""The command line: the same engine without a browser (`python -m explorer ...`)."""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from explorer.cli_size import _print_json, cmd_size_serving, cmd_size_training
from explorer.engine.decision import decide
from explorer.engine.option_latency import latency_json
from explorer.engine.scoring import no_option_message
from explorer.model.assessment import Assessment
from explorer.model.catalog import Catalog, load_catalog
from explorer.model.errors import ExplorerError, ExportError, SizingError, UnknownChoiceError
from explorer.model.formatting import months
from explorer.model.loading import load_assessment
from explorer.model.price_book import PriceBookError, parse_price_book
from explorer.model.vocabulary import METHODS, PRECISIONS, SERVING_ENGINES, STAGES
from explorer.render.diagrams import FORMATS, VIEWS, check_view_format, render_view
from explorer.render.documents import DOCUMENT_FORMATS, check_document, document_bytes
from explorer.render.estimate import cost_json
from explorer.render.graphviz import check_scale
from explorer.render.report import build_report

EXPORT_VIEWS = (*VIEWS, "report", *DOCUMENT_FORMATS)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one plain sentence and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        commands = {a.dest: list(a.choices or ()) for a in self._actions if isinstance(a, argparse._SubParsersAction)}
        self.exit(2, f"{self.prog}: {usage_sentence(message, commands)}\n")


def _names(listed: str) -> str:
    return ", ".join(re.findall(r"'([^']*)'", listed)) or listed


def usage_sentence(message: str, commands: dict[str, list[str]] | None = None) -> str:
    """argparse's terse usage errors as one plain sentence that names the input and what is allowed.
    ``commands``: the parser's subcommands by their argparse ``dest`` (which argparse names them by)."""
    commands = commands or {}
    if m := re.fullmatch(r"argument (\S+): invalid choice: '(.*)' \(choose from (.*)\)", message):
        what = "The command" if m[1] in commands else m[1]
        return f"{what} '{m[2]}' is not one of: {_names(m[3])}."
    if m := re.fullmatch(r"argument (\S+): invalid (int|float) value: '(.*)'", message):
        kind = "a whole number" if m[2] == "int" else "a number"
        return f"{m[1]} must be {kind}, not '{m[3]}'."
    if (m := re.fullmatch(r"the following arguments are required: (\S+)", message)) and m[1] in commands:
        *first, last = commands[m[1]]
        named = f"{', '.join(first)} or {last}" if first else last
        return f"Name a command: {named}. Run with --help for each one's use."
    if m := re.fullmatch(r"the following arguments are required: (.*)", message):
        return f"These are required and missing: {m[1]}. Run with --help to see every option."
    if m := re.fullmatch(r"unrecognized arguments: (.*)", message):
        return f"Unknown argument: {m[1]}. Run with --help to see every option."
    if m := re.fullmatch(r"argument (\S+): expected one argument", message):
        return f"{m[1]} needs a value after it."
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


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
    assessment = _with_price_book(args, catalog, load_assessment(args.assessment, catalog))
    result = decide(catalog, assessment)
    thresholds = result.thresholds()
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
                     "bytes_per_month": f.bytes_per_month, "cadence": f.cadence,
                     "transfer_hours": f.transfer_hours, "period_hours": f.period_hours,
                     "fits_cadence": f.fits_cadence}
                    for f in o.flows
                ],
                "feasible": o.feasible,
                "latency": latency_json(result.capacity, result.assessment, o),
                "violations": [{"rule": v.rule, "message": v.message} for v in o.violations],
                "cautions": [{"rule": v.rule, "message": v.message, "penalty": v.penalty, "safeguard": v.safeguard,
                              "source": v.source} for v in o.cautions],
                "score": round(o.score, 1),
                "governance_score": round(o.governance_score, 1),
                "ratings": {r.criterion: {"rating": r.rating, "computed": r.computed, "rationale": r.rationale}
                            for r in o.trade_offs.rows},
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
        "warnings": list(result.warnings),
        "relax": [r.model_dump() for r in result.relax],
        "thresholds": [t.model_dump() for t in thresholds],
    }
    if args.json:
        _print_json(data)
    else:
        for sentence in result.contradictions:
            print(f"Contradiction: {sentence}")
        for sentence in result.warnings:
            print(f"Check this input: {sentence}")
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


def check_writable(out: Path) -> Path:
    """The directory ``out`` will be written in, after checking it exists and can be written."""
    directory = out.parent if str(out.parent) else Path(".")
    try:
        if not directory.is_dir():
            raise ExportError(f"Output path {out}: the directory {directory} does not exist.")
        if not os.access(directory, os.W_OK):
            raise ExportError(f"Output path {out}: the directory {directory} is not writable.")
        if out.is_dir():
            raise ExportError(f"Output path {out} is a directory; give a file name.")
    except OSError as exc:  # e.g. a name longer than the filesystem allows
        raise ExportError(f"Output path {out} cannot be used ({exc.strerror or exc}).") from None
    return directory


def _umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomically(out: Path, payload: bytes) -> None:
    """Write ``payload`` to ``out`` whole or not at all: no partial file is ever left behind.

    The temporary file has a short name of its own (so any name the filesystem allows for ``out``
    works) and gets the mode a plain ``open`` would give, following the user's umask.
    """
    directory = check_writable(out)
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".explorer-", suffix=".part", dir=directory)
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            os.fchmod(f.fileno(), 0o666 & ~_umask())
        os.replace(tmp, out)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"Output path {out} could not be written ({exc.strerror or exc}).") from None


def check_export(view: str, fmt: str) -> None:
    """The report is a PDF; every other view has the formats render.VIEW_FORMATS lists."""
    if view == "report":
        if fmt != "pdf":
            raise ExportError(f"The report is exported only as pdf, not {fmt}.")
        return
    if view in DOCUMENT_FORMATS:
        check_document(view, fmt)
        return
    if view not in VIEWS:
        raise UnknownChoiceError("view", view, EXPORT_VIEWS)
    check_view_format(view, fmt)


def cmd_export(args: argparse.Namespace) -> int:
    check_export(args.view, args.format)
    if args.scale is not None and args.format != "png":
        raise ExportError(f"--scale applies to png only; {args.format} is drawn without one.")
    check_scale(args.scale)
    out = Path(args.out)
    check_writable(out)  # fail before the (slow) drawing, not after it
    catalog = load_catalog(args.data)
    assessment = _with_price_book(args, catalog, load_assessment(args.assessment, catalog))
    decision = decide(catalog, assessment)
    if args.view == "report":
        payload = build_report(decision)
    elif args.view in DOCUMENT_FORMATS:
        payload = document_bytes(decision, args.view, args.format)
    else:
        payload = render_view(decision, args.view, args.format, overlay=args.overlay, scale=args.scale)
    write_atomically(out, payload)
    print(f"Wrote {args.view} as {args.format} to {args.out} ({len(payload):,} bytes).")
    return 0


def cmd_cost(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.data)
    assessment = _with_price_book(args, catalog, load_assessment(args.assessment, catalog))
    if args.samples < 1 or args.samples > 100_000:
        raise SizingError(f"--samples must be between 1 and 100000 (got {args.samples}).")
    data = cost_json(decide(catalog, assessment), samples=args.samples)
    if args.json:
        _print_json(data)
    else:
        print(f"Total cost over {months(data['horizon_months'])} ({data['currency']}). {data['reference_note']}")
        for o in data["options"]:
            per_m = o["per_million_tokens"]
            per_m = f"{per_m:,.2f} per million tokens" if per_m is not None else "no tokens generated"
            be = o["break_even_month"]
            be = f", breaks even with {data['reference']} in month {be}" if be else ""
            status = "" if o["feasible"] else " [ruled out]"
            print(f"Scenario {o['scenario']} / {o['use_case']}{status}: {o['total']:,.0f} ({per_m}{be})")
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
    p.add_argument("--prices", metavar="PRICEBOOK", help="a YAML or CSV price book (your negotiated prices)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_place)

    p = sub.add_parser("size", help="size fine-tuning or serving for one model on one GPU type")
    size = p.add_subparsers(dest="what", required=True, parser_class=_Parser)
    t = size.add_parser("training", help="FLOPs, GPU-hours, GPU count, wall clock and memory for fine-tuning")
    t.add_argument("--model", required=True)
    t.add_argument("--tokens", required=True, type=float, help="dataset tokens per epoch")
    t.add_argument("--method", required=True, choices=[m for m in METHODS if m != "none"])
    t.add_argument("--gpu", required=True)
    t.add_argument("--gpus", type=int, default=None, help="GPU count (default: enough for memory and --max-days)")
    t.add_argument("--mfu", type=float, default=None, help="model FLOPs utilisation, 0-1 (default: catalog)")
    t.add_argument("--epochs", type=float, default=1.0)
    t.add_argument("--max-days", type=float, default=None, help="longest acceptable wall clock, in days")
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=cmd_size_training)
    v = size.add_parser("serving", help="tensor parallel, batch, throughput and latency for serving")
    v.add_argument("--model", required=True)
    v.add_argument("--gpu", required=True)
    v.add_argument("--gpus", type=int, default=None, help="GPUs to fill with replicas (default: one replica)")
    v.add_argument("--precision", choices=PRECISIONS, default="bf16")
    v.add_argument("--input-tokens", type=int, default=800)
    v.add_argument("--output-tokens", type=int, default=300)
    v.add_argument("--tpot-ms", type=float, default=None, help="time-per-output-token target (default: none)")
    v.add_argument("--ttft-ms", type=float, default=None, help="time-to-first-token target under load (default: none)")
    v.add_argument("--engine", choices=SERVING_ENGINES, default="vllm",
                   help="serving engine profile, data/engines.yaml (default: vllm)")
    v.add_argument("--requests-per-day", type=float, default=None, help="size replicas for this traffic")
    v.add_argument("--tensor-parallel", type=int, default=None,
                   help="fix the GPUs per replica (1, 2, 4, …), e.g. to compare with a benchmark (default: the "
                        "size that serves the most requests per GPU)")
    v.add_argument("--peak-factor", type=float, default=1.0)
    v.add_argument("--json", action="store_true")
    v.set_defaults(func=cmd_size_serving)

    p = sub.add_parser("cost", help="month-by-month cost of all eight options for an assessment")
    p.add_argument("assessment", help="a YAML/JSON file or preset:<id>")
    p.add_argument("--prices", metavar="PRICEBOOK", help="a YAML or CSV price book (your negotiated prices)")
    p.add_argument("--samples", type=int, default=2000, help="uncertainty samples (default 2000)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_cost)

    p = sub.add_parser("export", help="export one diagram view, the whole report, the deck or the estimate")
    p.add_argument("assessment", help="a YAML/JSON file or preset:<id>")
    p.add_argument("--prices", metavar="PRICEBOOK", help="a YAML or CSV price book (your negotiated prices)")
    p.add_argument("--view", required=True, help=f"one of {', '.join(EXPORT_VIEWS)}")
    p.add_argument("--format", required=True,
                   help=f"one of {', '.join(FORMATS)} (mermaid: flowchart, c4-context, sequence; report: pdf; "
                        "deck: pptx; estimate: json, csv, xlsx)")
    p.add_argument("--out", required=True, help="output file")
    p.add_argument("--overlay", action="store_true", help="show data classification and residency on the diagram")
    p.add_argument("--scale", type=float, default=None,
                   help="png only: times the diagram's own size (96 dpi), 0.5-5 (default: slide-ready, at least "
                        "2,400 px on the long side)")
    p.set_defaults(func=cmd_export)
    return parser


def _with_price_book(args: argparse.Namespace, catalog: Catalog, assessment: Assessment) -> Assessment:
    """The assessment priced with ``--prices FILE``: the book's rows over the catalog, the assessment's own
    overrides over the book. Any bad row stops the command, one line per row."""
    path = getattr(args, "prices", None)
    if not path:
        return assessment
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PriceBookError(f"Price book '{path}' cannot be read: {exc.__class__.__name__}.") from None
    book = parse_price_book(text, file.name, catalog, assessment.constraints.region)
    if book.problems:
        raise PriceBookError(book.message(file.name))
    return assessment.model_copy(update={"prices": {**book.prices, **assessment.prices}})


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

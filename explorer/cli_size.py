"""The ``size`` commands (fine-tuning and serving for one model on one GPU type) and the CLI's JSON printer."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from explorer.engine.latency import latency_fields, with_load
from explorer.engine.prices import default_factors
from explorer.engine.sizing import size_serving, size_training
from explorer.model.catalog import load_catalog
from explorer.model.engine_profiles import engine_profile
from explorer.model.errors import SizingError
from explorer.render.estimate import json_text


def _print_json(data: Any) -> None:
    sys.stdout.write(json_text(data))  # as the estimate's JSON export writes it, byte for byte


def _non_negative(name: str, value: float | None) -> None:
    if value is not None and not value >= 0:
        raise SizingError(f"{name} must be zero or more (got {value:g}).")


def cmd_size_training(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.data)
    _non_negative("--tokens", args.tokens)
    _non_negative("--epochs", args.epochs)
    if args.mfu is not None and not 0 < args.mfu <= 1:
        raise SizingError(f"--mfu must be greater than 0 and at most 1 (got {args.mfu:g}).")
    if args.max_days is not None and not args.max_days > 0:
        raise SizingError(f"--max-days must be more than 0 (got {args.max_days:g}).")
    result = size_training(
        catalog.model(args.model), catalog.gpu(args.gpu), args.method, args.tokens, args.epochs,
        default_factors(catalog), gpus=args.gpus, mfu=args.mfu, max_days=args.max_days,
    )
    if args.json:
        _print_json(result.model_dump())
    else:
        print(f"{result.method} fine-tuning of {result.model} on {result.tokens:.3g} tokens: {result.flops:.3g} FLOPs, "
              f"{result.gpu_hours:,.0f} GPU-hours at {result.mfu:.0%} MFU on {result.gpus} × {result.gpu}, "
              f"{result.wall_clock_hours:,.1f} h wall clock, {result.memory_gb_per_gpu:.1f} GB per GPU.")
        for note in result.notes:
            print(f"Note: {note}")
    return 0


def cmd_size_serving(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.data)
    for name, value in (("--input-tokens", args.input_tokens), ("--output-tokens", args.output_tokens),
                        ("--requests-per-day", args.requests_per_day)):
        _non_negative(name, value)
    if args.peak_factor < 1:
        raise SizingError(f"--peak-factor must be 1 or more (got {args.peak_factor:g}).")
    if args.ttft_ms is not None and not args.ttft_ms > 0:
        raise SizingError(f"--ttft-ms must be more than 0 (got {args.ttft_ms:g}).")
    average = (args.requests_per_day or 0.0) / 86_400
    peak = None if args.requests_per_day is None else average * args.peak_factor
    factors = default_factors(catalog, args.engine)
    result = size_serving(
        catalog.model(args.model), catalog.gpu(args.gpu), factors, precision=args.precision,
        input_tokens=args.input_tokens, output_tokens=args.output_tokens, tpot_ms=args.tpot_ms, gpus=args.gpus,
        peak_requests_per_second=peak, tensor_parallel=args.tensor_parallel,
    )
    result = with_load(result, factors, engine_profile(catalog.engines, args.engine), average_rate=average,
                       peak_rate=peak or 0.0, ttft_target_ms=args.ttft_ms, tpot_target_ms=args.tpot_ms,
                       fixed_replicas=peak is None)  # with traffic, replicas cover it (as size_serving does)
    load = result.load
    assert load is not None
    if args.json:
        _print_json({**result.model_dump(), "engine": args.engine, **latency_fields(load)})
    else:
        print(f"{result.model} on {result.gpus} × {result.gpu} ({result.precision}, {args.engine}): tensor parallel "
              f"{result.tensor_parallel}, batch {result.batch}, {result.tokens_per_second:,.0f} generated tokens/s, "
              f"prefill {result.ttft_ms:.0f} ms, decode step {result.tpot_ms:.1f} ms at batch {result.batch}, "
              f"{result.memory_gb_per_gpu:.1f} GB per GPU.")
        ms = {k: "unbounded" if v is None else f"{v:,.1f} ms" for k, v in latency_fields(load).items()}
        print(f"Under load: TTFT {ms['ttft_p50_ms']} at the average and {ms['ttft_peak_ms']} at the peak; "
              f"TPOT {ms['tpot_p50_ms']} and {ms['tpot_peak_ms']}.")
        for note in result.notes:
            print(f"Note: {note}")
    return 0

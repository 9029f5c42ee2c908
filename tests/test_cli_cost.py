"""`python -m explorer size training|serving` and `cost`: the JSON contracts and one-sentence errors."""

from __future__ import annotations

import json

import pytest

from explorer.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_size_training_json(capsys):
    code, out, err = run(capsys, "size", "training", "--model", "llama-3.1-70b", "--tokens", "2e9", "--method",
                         "lora", "--gpu", "h100-sxm", "--epochs", "2", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert {"flops", "gpu_hours", "gpus", "wall_clock_hours", "memory_gb_per_gpu"} <= set(data)
    assert data["flops"] == pytest.approx(6 * 70.6e9 * 4e9 * (0.6667 + 1 / 3))  # LoRA 2/3 of 6·N·D + recompute 1/3
    assert data["gpu_hours"] == pytest.approx(data["flops"] / (989e12 * 0.4) / 3600)  # ≈ 793 GPU-hours
    assert data["wall_clock_hours"] == pytest.approx(data["gpu_hours"] / data["gpus"])


def test_size_training_with_gpus_and_mfu(capsys):
    code, out, _ = run(capsys, "size", "training", "--model", "llama-3.1-8b", "--tokens", "1e9", "--method",
                       "full", "--gpu", "h100-sxm", "--gpus", "8", "--mfu", "0.5", "--json")
    data = json.loads(out)
    assert code == 0 and data["gpus"] == 8
    assert data["gpu_hours"] == pytest.approx(8 * 8.03e9 * 1e9 / (989e12 * 0.5) / 3600)  # full + recompute = 36.08 h


def test_size_serving_json(capsys):
    code, out, _ = run(capsys, "size", "serving", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--json")
    data = json.loads(out)
    assert code == 0
    assert {"tokens_per_second", "gpus", "tensor_parallel", "batch", "memory_gb_per_gpu", "ttft_ms",
            "tpot_ms"} <= set(data)
    # One H100, batch 256 (max), the default engine vLLM (46 % of the 3.35 TB/s): a step reads 16.06 GB of weights
    # + 256 × 131,072 B × 950 tokens of KV in 47.94e9 / 1.541e12 = 31.108 ms; a request costs 2 · 8.03e9 · 800 /
    # (989e12 × 0.5) = 25.982 ms of prefill + 300 × 31.108 / 256 = 36.455 ms: 16.016 requests/s, 4,805 tokens/s.
    assert (data["gpus"], data["tensor_parallel"], data["batch"]) == (1, 1, 256) and data["engine"] == "vllm"
    step = (16.06e9 + 256 * 131_072 * 950) / (3.35e12 * 0.46)
    assert data["tokens_per_second"] == pytest.approx(300 / (2 * 8.03e9 * 800 / (989e12 * 0.5) + 300 * step / 256))
    assert data["tokens_per_second"] == pytest.approx(4805, rel=1e-3)


def test_size_serving_with_tpot_and_traffic(capsys):
    code, out, _ = run(capsys, "size", "serving", "--model", "llama-3.1-70b", "--gpu", "h100-sxm", "--tpot-ms", "30",
                       "--requests-per-day", "864000", "--peak-factor", "2", "--json")
    data = json.loads(out)
    assert code == 0 and data["tpot_ms"] <= 30 + 1e-9
    # 864,000 requests/day × 2 / 86,400 s = 20 requests/s at peak
    assert data["replicas"] * data["requests_per_second_per_replica"] >= 20
    assert data["gpus"] == data["replicas"] * data["tensor_parallel"]


def test_cost_json(capsys):
    code, out, _ = run(capsys, "cost", "preset:regulated-bank", "--samples", "200", "--json")
    data = json.loads(out)
    assert code == 0 and data["currency"] == "USD"
    assert len(data["options"]) == 8
    first = data["options"][0]
    assert {"scenario", "use_case", "total", "monthly", "line_items", "per_million_tokens",
            "break_even_month"} <= set(first)
    assert len(first["monthly"]) == 36
    assert sum(first["monthly"]) == pytest.approx(first["total"])
    assert sum(first["line_items"].values()) == pytest.approx(first["total"])
    assert data["uncertainty"]["samples"] == 200 and data["sensitivity"]["rows"]


def test_cost_text(capsys):
    code, out, _ = run(capsys, "cost", "preset:cloud-first-retailer", "--samples", "50")
    assert code == 0 and out.startswith("Total cost over 24 months (USD). Break-even is measured against scenario 2 "
                                        "with use case 1B, the cheapest feasible option that serves the model in "
                                        "the public cloud and buys no GPUs.")
    assert "Scenario 2 / 1B:" in out


def test_size_text(capsys):
    code, out, _ = run(capsys, "size", "serving", "--model", "llama-3.1-405b", "--gpu", "l4", "--tpot-ms", "1")
    assert code == 0 and "Note: No batch meets the 1 ms TPOT target" in out
    code, out, _ = run(capsys, "size", "training", "--model", "mistral-7b", "--tokens", "1e8", "--method", "qlora",
                       "--gpu", "l4")
    assert code == 0 and out.startswith("qlora fine-tuning of mistral-7b on 1e+08 tokens")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["size", "training", "--model", "nope", "--tokens", "1", "--method", "lora", "--gpu", "l4"],
         'error: "nope" is not a valid model. Choose from: llama-3.1-8b'),
        (["size", "training", "--model", "mistral-7b", "--tokens", "-1", "--method", "lora", "--gpu", "l4"],
         "error: --tokens must be zero or more (got -1)."),
        (["size", "training", "--model", "mistral-7b", "--tokens", "1", "--method", "lora", "--gpu", "l4",
          "--epochs", "-2"], "error: --epochs must be zero or more (got -2)."),
        (["size", "training", "--model", "mistral-7b", "--tokens", "1", "--method", "lora", "--gpu", "l4",
          "--mfu", "1.5"], "error: --mfu must be greater than 0 and at most 1 (got 1.5)."),
        (["size", "training", "--model", "mistral-7b", "--tokens", "1", "--method", "lora", "--gpu", "l4",
          "--max-days", "0"], "error: --max-days must be more than 0 (got 0)."),
        (["size", "serving", "--model", "llama-3.1-405b", "--gpu", "l4", "--gpus", "2"],
         "error: 2 GPUs cannot hold llama-3.1-405b on NVIDIA L4 24GB at bf16; one replica needs 64 GPUs."),
        (["size", "serving", "--model", "mistral-7b", "--gpu", "l4", "--output-tokens", "-5"],
         "error: --output-tokens must be zero or more (got -5)."),
        (["size", "serving", "--model", "mistral-7b", "--gpu", "l4", "--peak-factor", "0.5"],
         "error: --peak-factor must be 1 or more (got 0.5)."),
        (["cost", "preset:regulated-bank", "--samples", "0"],
         "error: --samples must be between 1 and 100000 (got 0)."),
        (["cost", "preset:nope"], 'error: "nope" is not a valid preset.'),
    ],
)
def test_errors_are_one_sentence(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 1 and out == ""
    assert err.startswith(message)
    assert err.count("\n") == 1 and "Traceback" not in err


def test_pricing_error_from_an_assessment_file(capsys, tmp_path):
    path = tmp_path / "azure-l4.yaml"
    path.write_text("constraints: {cloud_provider: azure}\ncosting: {gpu: l4}\n", encoding="utf-8")
    code, _, err = run(capsys, "cost", str(path))
    assert code == 1
    assert err == ("error: The cloud provider azure has no NVIDIA L4 24GB price; choose a cloud GPU from: "
                   "a100-80gb, h100-sxm, h200.\n")


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["size", "training", "--model", "mistral-7b", "--tokens", "many", "--method", "lora", "--gpu", "l4"])
    assert exc.value.code == 2
    assert capsys.readouterr().err == "python -m explorer size training: --tokens must be a number, not 'many'.\n"

"""The domain's words, each defined once: stages, places, options, providers, methods, regimes and skills."""

from __future__ import annotations

from typing import Literal

STAGES: tuple[str, ...] = ("training", "serving", "inference", "data")
SCENARIO_IDS: tuple[int, ...] = (1, 2, 3, 4)
USE_CASE_IDS: tuple[str, ...] = ("1A", "1B")
Location = Literal["local", "public_cloud", "not_specified", "exchanged"]
Place = Literal["local", "public_cloud"]
UseCaseId = Literal["1A", "1B"]

# Where a stage runs, as a table heading says it, as a sentence says it, and in a narrow cell.
LOCATION_LABELS: dict[str, str] = {
    "local": "On premises",
    "public_cloud": "Public cloud",
    "not_specified": "Not specified",
    "exchanged": "Exchanged between both",
}
PLACE_PHRASES: dict[str, str] = {
    "local": "on premises",
    "public_cloud": "in the public cloud",
    "exchanged": "exchanged with the public cloud",
}
SHORT_PLACES: dict[str, str] = {"local": "On prem", "public_cloud": "Cloud", "exchanged": "Both"}

CLOUD_PROVIDERS: tuple[str, ...] = ("aws", "azure", "gcp", "ibm")
PROVIDER_NAMES: dict[str, str] = {"aws": "AWS", "azure": "Microsoft Azure", "gcp": "Google Cloud", "ibm": "IBM Cloud"}

METHODS: tuple[str, ...] = ("none", "full", "lora", "qlora")
# In a sentence ("fine-tunes Llama 3.1 70B (LoRA)") and as a choice in a form.
METHOD_NAMES: dict[str, str] = {"full": "full fine-tuning", "lora": "LoRA", "qlora": "QLoRA", "none": "no fine-tuning"}
METHOD_CHOICES: dict[str, str] = {
    "none": "None (use the foundation model)", "full": "Full fine-tuning", "lora": "LoRA", "qlora": "QLoRA",
}
PRECISIONS: tuple[str, ...] = ("bf16", "fp8", "int4")
SERVING_ENGINES: tuple[str, ...] = ("vllm", "tensorrt_llm", "sglang")  # data/engines.yaml has one profile each
PRECISION_LABELS: dict[str, str] = {"bf16": "BF16", "fp8": "FP8", "int4": "INT4 (weights)"}
CAPEX_LABELS: dict[str, str] = {"buy": "Buy up front", "lease": "Lease", "amortise": "Amortise"}
PRICING_LABELS: dict[str, str] = {"on_demand": "On demand", "committed": "1-year commitment"}
# How the cloud serves the model: the cheaper of the two, dedicated GPUs, or a managed per-token endpoint.
CLOUD_SERVING_MODES: tuple[str, ...] = ("auto", "dedicated", "per_token")
SERVING_MODE_LABELS: dict[str, str] = {"auto": "Cheaper", "dedicated": "Dedicated", "per_token": "Per token"}

# Where the premises are, for the electricity price (data/onprem_costs.yaml, ``power``).
REGIONS: tuple[str, ...] = ("us", "eu")
REGION_NAMES: dict[str, str] = {"us": "United States", "eu": "European Union"}

CLASSIFICATIONS: tuple[str, ...] = ("public", "internal", "confidential", "regulated")
RESIDENCY_LABELS: dict[str, str] = {"none": "None", "in_country": "In country", "on_premises": "On premises"}
COMPLIANCE_REGIMES: tuple[str, ...] = ("gdpr", "hipaa", "pci_dss", "eu_ai_act_high_risk")
REGIME_LABELS: dict[str, str] = {
    "gdpr": "GDPR", "hipaa": "HIPAA", "pci_dss": "PCI DSS", "eu_ai_act_high_risk": "EU AI Act (high risk)",
}
# Skills a team may have in house; a stage placed where the team lacks the skill is a soft penalty.
SKILLS: tuple[str, ...] = ("gpu_infrastructure", "cloud_platform", "ml_engineering")
SKILL_LABELS: dict[str, str] = {
    "gpu_infrastructure": "GPU infrastructure", "cloud_platform": "Cloud platform", "ml_engineering": "ML engineering",
}

NONE = "none"  # the option key when no option is feasible


def option_key(scenario: int, use_case: str) -> str:
    """``3-1A``: how options are keyed in catalogs, results and links."""
    return f"{scenario}-{use_case}"


def split_key(key: str) -> tuple[int, str]:
    scenario, use_case = key.split("-")
    return int(scenario), use_case


def option_label(key: str) -> str:
    """``Scenario 3 · 1A``: an option as a heading or a legend names it."""
    scenario, use_case = split_key(key)
    return f"Scenario {scenario} · {use_case}"


def option_short(key: str) -> str:
    """``S3 · 1A``: an option in a narrow column or on a chart axis."""
    scenario, use_case = split_key(key)
    return f"S{scenario} · {use_case}"


def option_words(key: str) -> str:
    """``scenario 3 with use case 1A``: an option inside a sentence."""
    if key == NONE:
        return "no feasible option"
    scenario, use_case = split_key(key)
    return f"scenario {scenario} with use case {use_case}"


def place_phrase(location: str) -> str:
    return PLACE_PHRASES[location]


def join_words(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

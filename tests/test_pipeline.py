"""Engine v2: the capacity stage, the pipeline's content keys, the decision and the one cache policy."""

from __future__ import annotations

import threading
import time

import pytest
from handcalc import A100_PREFILL_MS, A100_TTFT_MS, LOADED_TTFT_MS, PREFILL_MS

from explorer import decide
from explorer.engine import pipeline
from explorer.engine.capacity import SECONDS_PER_DAY, capacity_of
from explorer.engine.decision import Decision
from explorer.engine.sensitivity import sensitivity_table
from explorer.model.assessment import Assessment
from explorer.model.cache import ContentCache, caches, clear_all
from explorer.model.catalog import load_catalog
from explorer.model.errors import SizingError, UnknownChoiceError
from explorer.model.loading import parse_assessment


def test_capacity_sizes_both_places_once_by_hand(catalog):
    cap = capacity_of(catalog, Assessment())
    # No GPUs owned: the premises buy the cloud's GPU type, so both places have the same sizing.
    assert cap.cloud_gpu.id == cap.local_gpu.id == "h100-sxm"
    assert cap.serving_cloud is cap.serving_local
    # The isolated prefill (70.50 ms) and the loaded time to first token at the peak (222.25 ms), tests/handcalc.py.
    assert cap.serving_cloud.ttft_ms == pytest.approx(PREFILL_MS)
    assert cap.prefill_ms("public_cloud") == pytest.approx(LOADED_TTFT_MS)
    # Peak demand: 50,000 requests a day at peak factor 3 is 50,000 / 86,400 × 3 = 1.7361 requests/s.
    assert cap.peak_requests_per_second == pytest.approx(50_000 / SECONDS_PER_DAY * 3) == pytest.approx(1.7361, 1e-4)
    assert SECONDS_PER_DAY == 24 * 3600


def test_capacity_sizes_owned_gpus_on_premises(catalog):
    a = parse_assessment({"constraints": {"owned_gpus": {"gpu": "a100-80gb", "count": 8}}}, catalog=catalog)
    cap = capacity_of(catalog, a)
    assert (cap.cloud_gpu.id, cap.local_gpu.id) == ("h100-sxm", "a100-80gb")
    # A100: 312 TFLOPS bf16, tensor parallel 8 keeping 0.90³, 50 % prefill MFU:
    # 2 · 70.6e9 · 800 / (8 × 0.729 × 312e12 × 0.5) = 124.16 ms alone, 275.35 ms at the peak (tests/handcalc.py).
    assert cap.serving_local.tensor_parallel == 8
    assert cap.serving_local.ttft_ms == pytest.approx(A100_PREFILL_MS)
    assert cap.prefill_ms("local") == pytest.approx(A100_TTFT_MS) == pytest.approx(275.35, abs=0.01)
    assert cap.prefill_ms("public_cloud") == pytest.approx(LOADED_TTFT_MS)


def test_an_impossible_sizing_is_kept_as_its_sentence(catalog, monkeypatch):
    import explorer.engine.capacity

    def does_not_fit(model, gpu, *args, **kwargs):
        raise SizingError(f"Model {model.id} cannot be trained on {gpu.name}.")

    monkeypatch.setattr(explorer.engine.capacity, "size_training", does_not_fit)
    # A traffic figure no other test uses, so the cached capacity of other tests is not reused.
    a = parse_assessment({"workload": {"requests_per_day": 12_346}}, catalog=catalog)
    cap = capacity_of(catalog, a)
    assert cap.training_cloud is None and cap.serving_cloud is not None  # serving is still sized
    with pytest.raises(SizingError, match=r"^Model llama-3.1-70b cannot be trained on NVIDIA H100 SXM5 80GB\.$"):
        cap.required_training("public_cloud")
    # The cost model needs cloud training for 2-1B, so it cannot price; placement and scores still stand.
    d = decide(catalog, a)
    assert d.cost is None and d.cost_error == "Model llama-3.1-70b cannot be trained on NVIDIA H100 SXM5 80GB."
    assert len(d.options) == 8 and d.recommended is not None


def test_the_choice_is_no_part_of_any_stage_key(catalog):
    a = Assessment(customer="Acme", scenario=1, use_case="1A")
    b = a.model_copy(update={"customer": "Globex", "scenario": 4, "use_case": "1B"})
    assert pipeline.choice_free(a) == pipeline.choice_free(b)
    first, second = decide(catalog, a), decide(catalog, b)
    # The same stage results, the same objects: flipping options recomputes nothing.
    assert first.options is second.options and first.cost is second.cost and first.capacity is second.capacity
    assert first.key == "1-1A" and second.key == "4-1B" and second.chosen.key == "4-1B"
    assert sensitivity_table(catalog, a) is sensitivity_table(catalog, b)
    assert first.uncertainty() is second.uncertainty()
    assert first.thresholds() is second.thresholds()


def test_a_content_change_is_a_new_key(catalog):
    a = Assessment()
    more = a.model_copy(update={"workload": a.workload.model_copy(update={"requests_per_day": 50_001})})
    assert pipeline.choice_free(a) != pipeline.choice_free(more)
    assert decide(catalog, a).cost is not decide(catalog, more).cost


def test_decision_reads_every_option_and_names_an_unknown_one(catalog):
    d = decide(catalog, Assessment(scenario=3, use_case="1B"))
    assert isinstance(d, Decision) and len(d.options) == 8
    assert [o.key for o in d.options] == [f"{s}-{u}" for s in (1, 2, 3, 4) for u in ("1A", "1B")]
    assert d.option_cost().key == "3-1B" and d.option_cost("2-1B").key == "2-1B"
    with pytest.raises(UnknownChoiceError, match=r'^"5-1A" is not a valid option. Choose from: 1-1A, 1-1B, '):
        d.option(5, "1A")


def test_the_sensitivity_table_serves_every_option(catalog):
    a = Assessment()
    table = sensitivity_table(catalog, a)
    for key in ("1-1A", "2-1B", "4-1A"):
        scenario, use_case = key.split("-")
        tornado = table.for_option(int(scenario), use_case)
        assert tornado.base_total == pytest.approx(decide(catalog, a).cost.option(int(scenario), use_case).total)
        swings = [r.swing for r in tornado.rows]
        assert swings == sorted(swings, reverse=True) and all(s > 0 for s in swings)


def test_a_cost_the_model_cannot_price_leaves_placement_and_scores(catalog):
    a = parse_assessment({"constraints": {"cloud_provider": "ibm"}, "costing": {"gpu": "h200"}}, catalog=catalog)
    d = decide(catalog, a)
    assert d.cost is None and d.recommended is not None
    assert d.cost_error.startswith("The cloud provider ibm has no NVIDIA H200 SXM 141GB price")


def test_catalog_identity_is_its_content(tmp_path, data_copy):
    original = load_catalog()
    copy = load_catalog(data_copy)
    assert copy.version == original.version and copy.data_dir != original.data_dir  # same bytes, same version
    path = data_copy / "assumptions.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert load_catalog(data_copy).version != original.version  # a data edit is a new version


def test_content_cache_is_bounded_and_least_recently_used():
    cache: ContentCache[int] = ContentCache("test lru", 2)
    assert cache.get("a", lambda: 1) == 1 and cache.get("b", lambda: 2) == 2
    assert cache.get("a", lambda: 99) == 1  # a hit; "a" is now the most recent
    cache.get("c", lambda: 3)  # evicts "b", the least recently used
    assert len(cache) == 2 and caches()["test lru"] == 2
    assert cache.get("a", lambda: 99) == 1  # still there
    assert cache.get("b", lambda: 20) == 20  # evicted, so computed again


def test_content_cache_computes_once_for_many_threads():
    cache: ContentCache[int] = ContentCache("test single flight", 8)
    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.05)
        return 42

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get("k", slow))) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [42] * 50 and len(calls) == 1


def test_content_cache_does_not_keep_an_error():
    cache: ContentCache[int] = ContentCache("test errors", 8)
    with pytest.raises(ValueError, match="^boom$"):
        cache.get("k", lambda: (_ for _ in ()).throw(ValueError("boom")))
    assert cache.get("k", lambda: 7) == 7


def test_clear_all_empties_every_cache(catalog):
    decide(catalog, Assessment())
    assert caches()["placement"] >= 1
    clear_all()
    assert caches()["placement"] == 0 and caches()["capacity"] == 0

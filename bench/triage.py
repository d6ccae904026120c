"""Benchmark and evaluation of the triage model. Prints figures and writes
bench/results/triage.json; never passes or fails on time.

    .venv/bin/python bench/triage.py            # everything (C-SSRS cross-validation: minutes)
    .venv/bin/python bench/triage.py --quick    # without the C-SSRS cross-validation

Figures: model load time (in process, and a cold process with its imports), artefact size,
held-out split metrics per language and level with calibration error (also for the first seed
batch, the later, less literal batches, the fourth, varied batch and the fifth to seventh, written
by other hands, apart), the cross-validated
(out-of-fold) figures recorded in model.json at training time, fresh posts the model never
trained on (tests/data/triage_unseen*.jsonl), false-alarm rate on RTP-LX Hindi, C-SSRS five-fold
cross-validation (user level), throughput of short posts in one process (batches of 256),
per-post latency p50/p99 (one post per call), and a 100 KB post.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import ModuleType

from lifeline.adapters.classifier import datasets, evaluation, training
from lifeline.adapters.classifier.model import SklearnRiskClassifier, default_model_path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "triage.json"
#: a short post, as the throughput target counts them: the length of a text message
SHORT_POST_CHARS = 140
UNSEEN = sorted((ROOT / "tests" / "data").glob("triage_unseen*.jsonl"))


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_triage_corpus", ROOT / "scripts" / "build_triage_corpus.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: seed batches by the first letter of a seed's number in its group id: `later` for `[more]`
#: and `[paired]` seeds (m###, p###), then the corpus builder's late batches (`varied`, v###,
#: and those written by other hands); any other group is of the `first` batch
BATCHES: dict[str, str] = {"m": "later", "p": "later"} | {
    b[1]: b[0] for b in _builder().LATE_BATCHES
}


def batch_of(group: str) -> str:
    return BATCHES.get(group.rsplit(":", 1)[-1][:1], "first")


def summary(ev: evaluation.Evaluation) -> dict[str, dict[str, float]]:
    keys = ("n", "at_risk_precision", "at_risk_recall", "intent_or_above_recall", "accuracy")
    return {lang: {k: m[k] for k in keys} for lang, m in ev.languages.items()}


def print_summary(title: str, figures: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    for lang, m in figures.items():
        print(
            f"  {lang:8} n {m['n']:>4}  at-risk P {m['at_risk_precision']:.3f} "
            f"R {m['at_risk_recall']:.3f}  intent+ R {m['intent_or_above_recall']:.3f}  "
            f"accuracy {m['accuracy']:.3f}"
        )


def cold_load_seconds(path: Path) -> float:
    code = (
        "import time; t = time.perf_counter();"
        "from lifeline.adapters.classifier.model import SklearnRiskClassifier as M;"
        f"M.load(__import__('pathlib').Path({str(path)!r})); print(time.perf_counter() - t)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


def speed(model: SklearnRiskClassifier, texts: list[str]) -> dict[str, float]:
    """Wall-clock figures, and the same measured in this process's CPU time: on a shared
    machine other jobs take cores away, and the CPU figures say what the model itself costs."""
    posts = (texts * (5000 // len(texts) + 1))[:5000]
    model.classify_many(posts[:256])  # warm caches
    load_before = os.getloadavg()[0]
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(posts), 256):
        model.classify_many(posts[i : i + 256])
    batch_rate = len(posts) / (time.perf_counter() - started)
    batch_rate_cpu = len(posts) / (time.process_time() - cpu)
    latencies, cpu_latencies = [], []
    for text in posts[:2000]:
        t, c = time.perf_counter(), time.process_time()
        model.classify(text)
        latencies.append((time.perf_counter() - t) * 1000)
        cpu_latencies.append((time.process_time() - c) * 1000)
    latencies.sort()
    cpu_latencies.sort()
    single_rate = 1000 / statistics.mean(latencies)
    big = ("मैं बहुत परेशान हूं और कोई नहीं समझता, कल कॉलेज जाना है. " * 2000)[:100_000]
    t = time.perf_counter()
    model.classify(big)
    return {
        "posts_per_second_batched": batch_rate,
        "posts_per_second_one_by_one": single_rate,
        "latency_ms_p50": latencies[len(latencies) // 2],
        "latency_ms_p99": latencies[int(len(latencies) * 0.99)],
        "latency_ms_max": latencies[-1],
        "seconds_for_100kb_post": time.perf_counter() - t,
        "cpu_posts_per_second_batched": batch_rate_cpu,
        "cpu_latency_ms_p50": cpu_latencies[len(cpu_latencies) // 2],
        "cpu_latency_ms_p99": cpu_latencies[int(len(cpu_latencies) * 0.99)],
        "load_average_1min": load_before,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the C-SSRS cross-validation")
    parser.add_argument("--data-dir", type=Path, default=datasets.default_data_dir())
    parser.add_argument("--model", type=Path, default=default_model_path())
    args = parser.parse_args()
    out: dict[str, object] = {"python": platform.python_version(), "machine": platform.machine()}

    t = time.perf_counter()
    model = SklearnRiskClassifier.load(args.model)
    out["load_seconds"] = time.perf_counter() - t
    out["cold_process_load_seconds"] = cold_load_seconds(args.model)
    out["artefact_bytes"] = args.model.stat().st_size
    out["model_version"] = model.version
    print(
        f"model {model.version}: {args.model.stat().st_size / 1e6:.1f} MB, loads in "
        f"{out['load_seconds']:.2f} s ({out['cold_process_load_seconds']:.2f} s in a new process "
        "with its imports)"
    )

    corpus = datasets.load_corpus()
    held_out = [e for e in corpus if e.split == "test"]
    ev = evaluation.evaluate(model, held_out)
    out["held_out"] = ev.as_dict()
    print("\nheld-out split\n" + evaluation.format_evaluation(ev))
    groups = datasets.corpus_groups()
    by_batch = {}
    for batch in ("first", *dict.fromkeys(BATCHES.values())):
        part = [e for e in held_out if batch_of(groups[e.text]) == batch]
        by_batch[batch] = summary(evaluation.evaluate(model, part))
        print_summary(f"held-out, {batch} seed batch", by_batch[batch])
    # the posts held out before the fourth batch was written, to compare models on one set
    older = [e for e in held_out if batch_of(groups[e.text]) in ("first", "later")]
    by_batch["first+later"] = summary(evaluation.evaluate(model, older))
    print_summary("held-out, first and later batches together", by_batch["first+later"])
    out["held_out_by_batch"] = by_batch
    metadata = json.loads(args.model.with_suffix(".json").read_text(encoding="utf-8"))
    if metadata.get("version") == model.version and "out_of_fold" in metadata:
        out["out_of_fold"] = metadata["out_of_fold"]
        oof = {k: v for k, v in metadata["out_of_fold"]["languages"].items()}
        print_summary("cross-validated (out of fold, training split only)", oof)
    pooled = []
    for path in UNSEEN:
        posts = list(datasets.load_jsonl(path))
        pooled += posts
        unseen = evaluation.evaluate(model, posts)
        out[path.stem] = unseen.as_dict()
        print_summary(f"{path.name} (fresh posts, never trained on)", summary(unseen))
    if pooled:
        out["unseen_pooled"] = together = summary(evaluation.evaluate(model, pooled))
        print_summary("all fresh sets together", together)

    texts = list(datasets.load_rtp_lx(args.data_dir))
    out["rtp_lx_hindi"] = evaluation.false_alarms(model, texts)
    fa = out["rtp_lx_hindi"]
    assert isinstance(fa, dict)
    print(
        f"\nRTP-LX Hindi (abusive, not cries for help): {fa['at_risk']}/{fa['n']} called at risk "
        f"= false-alarm rate {fa['false_alarm_rate']:.3f}; levels {fa['levels']}"
    )

    if not args.quick:
        users = datasets.load_cssrs(args.data_dir)
        base = [e for e in corpus if e.split == "train"]

        def fit(examples: list[datasets.Example]) -> SklearnRiskClassifier:
            weighted = [
                e if e.source != "cssrs" else replace(e, weight=e.weight * training.CSSRS_WEIGHT)
                for e in examples
            ]
            bundle, _ = training.train(weighted, reuse=model.bundle)
            return training.classifier_from(bundle)

        cv = evaluation.cssrs_cross_validation(users, base, fit, progress=print)
        out["cssrs_cross_validation"] = cv
        ar = cv["at_risk"]
        print(
            f"C-SSRS 5-fold CV over {cv['users']} users (riskiest window of all their posts): "
            f"at-risk precision {ar['precision']:.3f} recall {ar['recall']:.3f} F1 {ar['f1']:.3f}; "
            f"4-level accuracy {cv['accuracy']:.3f}"
        )

    # the target is for short posts; the held-out split now also holds long ones (the seventh
    # batch's run to 150 words), so both are measured
    short = [e.text for e in held_out if len(e.text) <= SHORT_POST_CHARS]
    out["speed_all_held_out"] = mixed = speed(model, [e.text for e in held_out])
    print(
        f"\nspeed on the whole held-out split ({len(held_out)} posts, mean "
        f"{statistics.mean(len(e.text) for e in held_out):.0f} characters): "
        f"{mixed['posts_per_second_batched']:.0f} posts/s batched "
        f"(CPU {mixed['cpu_posts_per_second_batched']:.0f}), latency p99 "
        f"{mixed['latency_ms_p99']:.2f} ms"
    )
    out["speed"] = sp = speed(model, short)
    sp["posts"] = len(short)
    sp["mean_characters"] = statistics.mean(len(t) for t in short)
    print(
        f"short posts (held out, at most {SHORT_POST_CHARS} characters: {len(short)}, mean "
        f"{sp['mean_characters']:.0f}):",
        end="",
    )
    print(
        f" {sp['posts_per_second_batched']:.0f} posts/s batched, "
        f"{sp['posts_per_second_one_by_one']:.0f} posts/s one by one; latency p50 "
        f"{sp['latency_ms_p50']:.2f} ms, p99 {sp['latency_ms_p99']:.2f} ms; "
        f"100 KB post {sp['seconds_for_100kb_post']:.2f} s\n"
        f"in CPU time of this process: {sp['cpu_posts_per_second_batched']:.0f} posts/s batched, "
        f"latency p50 {sp['cpu_latency_ms_p50']:.2f} ms, p99 {sp['cpu_latency_ms_p99']:.2f} ms "
        f"(machine load average {sp['load_average_1min']:.1f} on {os.cpu_count()} CPUs)"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {RESULTS}")


if __name__ == "__main__":
    main()

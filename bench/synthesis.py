"""Benchmark of the topic engine: agreement with human labels, then speed and memory by size.

Quality: the Grand Débat answers tagged by hand (``../shared/data/contributions/
grand_debat_annotated``, read where it lies, never copied: its licence is unclear). Two splits,
as defined in that folder's README:

- coarse: the question answered (7 classes, DC11 dropped), 4 983 answers;
- fine: the tag of the answers that have exactly one, tags with at least 10 such answers,
  without "Y Rien" and "Idée marquée" (27 classes, 920 answers).

For each, the adjusted Rand index and the normalised mutual information (scikit-learn) of
``topics_compute`` against the human labels, **told the number of classes** (mean over seeds
0–4), then with the number of topics chosen automatically (seeds 0–2), and a plain baseline
(the same TF-IDF, LSA, k-means into k groups) for comparison. Texts without content (label −1)
count as one more group.

Speed: for each size, that many texts resampled from the answers (with replacement, seed 2019,
each a distinct string), ``topics_compute`` with the automatic number of topics in a fresh
process; seconds (wall clock, and processor time: on a shared machine the first can be
several times the second) and the process's peak resident memory (``ru_maxrss``). Then near-duplicates
over 100 000 texts (resampled, each with one word of another answer appended, so that they are
all different and each has about twenty near-copies) and ``similar_texts`` latency against
2 000 candidates: the first call of the process (stems not yet cached), the first call on
another list (builds that list's index), then queries that reuse the index.

Prints readable lines, then, last, one JSON line.

    make bench-synthesis SIZES=1000,100000
    .venv/bin/python bench/synthesis.py --sizes 2000000 --no-quality
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = Path(
    os.environ.get(
        "GRAND_DEBAT_ANNOTATED",
        ROOT / ".." / "shared" / "data" / "contributions" / "grand_debat_annotated",
    )
).resolve()
ANSWERS = DATA / "reponses_annotees_multilabel.json"
#: Measured with a plain baseline by the data's README (ARI, NMI).
FLOOR = {"coarse": (0.38, 0.52), "fine": (0.28, 0.56)}
QUALITY_SEEDS = (0, 1, 2, 3, 4)
AUTO_SEEDS = (0, 1, 2)
RESAMPLE_SEED = 2019
DUPLICATES_SIZE = 100_000
CANDIDATES = 2_000
QUERIES = 200


def load_splits() -> dict[str, tuple[list[str], list[str]]]:
    """The coarse and fine splits: (texts, human labels)."""
    from collections import Counter

    records = json.loads(ANSWERS.read_text(encoding="utf-8"))
    coarse = [(r["answer"], r["question"]) for r in records if r["question"] != "DC11"]
    single = []
    for record in records:
        tags = [tag.strip() for tag in record["target"].split(";") if tag.strip()]
        if len(tags) == 1 and tags[0] not in ("Y Rien", "Idée marquée"):
            single.append((record["answer"], tags[0]))
    counts = Counter(tag for _, tag in single)
    fine = [(text, tag) for text, tag in single if counts[tag] >= 10]
    return {
        "coarse": ([t for t, _ in coarse], [label for _, label in coarse]),
        "fine": ([t for t, _ in fine], [label for _, label in fine]),
    }


def all_answers() -> list[str]:
    records = json.loads(ANSWERS.read_text(encoding="utf-8"))
    return [r["answer"] for r in records]


def resampled(n: int, *, perturb: bool = False) -> list[str]:
    """``n`` answers drawn with replacement, each a distinct string object.

    ``perturb`` appends one word of another answer to each, so that (nearly) all differ.
    """
    import numpy as np

    answers = all_answers()
    rng = np.random.default_rng(RESAMPLE_SEED)
    picks = rng.integers(0, len(answers), size=n)
    if not perturb:
        return [answers[i] + " " for i in picks]
    vocabulary = sorted({word for answer in answers for word in answer.split() if len(word) > 3})
    extra = rng.integers(0, len(vocabulary), size=n)
    return [f"{answers[i]} {vocabulary[j]}" for i, j in zip(picks, extra, strict=True)]


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 4)


def quality() -> dict[str, object]:
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
    from sklearn.preprocessing import normalize
    from threadpoolctl import threadpool_limits

    from fabrique.synthesis.topics import topics_compute
    from fabrique.synthesis.topics.vectorize import vectorize

    out: dict[str, object] = {}
    for name, (texts, labels) in load_splits().items():
        classes = len(set(labels))
        told = []
        for seed in QUALITY_SEEDS:
            started = time.perf_counter()
            result = topics_compute(texts, n_topics=classes, seed=seed)
            seconds = time.perf_counter() - started
            told.append(
                (
                    adjusted_rand_score(labels, result.labels),
                    normalized_mutual_info_score(labels, result.labels),
                    seconds,
                )
            )
        auto = []
        for seed in AUTO_SEEDS:
            result = topics_compute(texts, seed=seed)
            auto.append(
                (
                    adjusted_rand_score(labels, result.labels),
                    normalized_mutual_info_score(labels, result.labels),
                    result.k,
                )
            )
        baseline = []
        with threadpool_limits(limits=1):
            vectors = vectorize(texts, seed=0)
            usable = vectors.has_terms
            for seed in QUALITY_SEEDS:
                points = normalize(
                    TruncatedSVD(100, random_state=seed).fit_transform(vectors.weights[usable])
                )
                predicted = np.full(len(texts), -1)
                predicted[usable] = KMeans(classes, n_init=10, random_state=seed).fit_predict(
                    points
                )
                baseline.append(
                    (
                        adjusted_rand_score(labels, predicted),
                        normalized_mutual_info_score(labels, predicted),
                    )
                )
        ari, nmi = _mean([t[0] for t in told]), _mean([t[1] for t in told])
        spread = round(float(np.std([t[0] for t in told])), 4)
        auto_ari, auto_nmi = _mean([a[0] for a in auto]), _mean([a[1] for a in auto])
        base_ari, base_nmi = _mean([b[0] for b in baseline]), _mean([b[1] for b in baseline])
        floor_ari, floor_nmi = FLOOR[name]
        print(
            f"{name}: {len(texts)} answers, {classes} human classes | told k={classes}: "
            f"ARI {ari:.3f} (±{spread:.3f} over seeds {QUALITY_SEEDS[0]}–{QUALITY_SEEDS[-1]}) "
            f"NMI {nmi:.3f}, {_mean([t[2] for t in told]):.1f} s per run | automatic k "
            f"{[a[2] for a in auto]}: ARI {auto_ari:.3f} NMI {auto_nmi:.3f} | plain TF-IDF+LSA"
            f"+k-means: ARI {base_ari:.3f} NMI {base_nmi:.3f} | floor ARI {floor_ari} NMI "
            f"{floor_nmi}",
            flush=True,
        )
        out[f"{name}_ari"] = ari
        out[f"{name}_nmi"] = nmi
        out[f"{name}_ari_std"] = spread
        out[f"{name}_auto_k"] = [a[2] for a in auto]
        out[f"{name}_auto_ari"] = auto_ari
        out[f"{name}_auto_nmi"] = auto_nmi
        out[f"{name}_baseline_ari"] = base_ari
        out[f"{name}_baseline_nmi"] = base_nmi
    return out


def _peak_mb() -> float:
    # Linux reports ru_maxrss in kilobytes.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def child_topics(n: int) -> None:
    """In a fresh process: topics of ``n`` resampled answers; last line of output is JSON."""
    from fabrique.synthesis.topics import topics_compute

    texts = resampled(n)
    before = _peak_mb()
    started, processor = time.perf_counter(), time.process_time()
    result = topics_compute(texts, seed=0)
    seconds, processor = time.perf_counter() - started, time.process_time() - processor
    print(
        json.dumps(
            {
                "n": n,
                "seconds": round(seconds, 2),
                "cpu_seconds": round(processor, 2),
                "peak_mb": _peak_mb(),
                "peak_mb_before": before,
                "k": result.k,
                "vocabulary": result.method["features"]["vocabulary_size"],
            }
        ),
        flush=True,
    )


def child_duplicates(n: int) -> None:
    """In a fresh process: near-duplicate groups of ``n`` perturbed answers."""
    from fabrique.synthesis.topics import duplicate_groups

    texts = resampled(n, perturb=True)
    started, processor = time.perf_counter(), time.process_time()
    groups = duplicate_groups(texts)
    seconds, processor = time.perf_counter() - started, time.process_time() - processor
    print(
        json.dumps(
            {
                "n": n,
                "seconds": round(seconds, 2),
                "cpu_seconds": round(processor, 2),
                "peak_mb": _peak_mb(),
                "groups": len(groups),
                "grouped": sum(len(group) for group in groups),
                "distinct": len(set(texts)),
            }
        ),
        flush=True,
    )


def run_child(*arguments: str) -> dict[str, object]:
    process = subprocess.run(
        [sys.executable, __file__, *arguments], capture_output=True, text=True, check=False
    )
    lines = [line for line in process.stdout.splitlines() if line.startswith("{")]
    if process.returncode != 0 or not lines:
        raise RuntimeError(f"{' '.join(arguments)} failed:\n{process.stderr[-3000:]}")
    return json.loads(lines[-1])


def similar_latency() -> dict[str, float]:
    """Milliseconds of ``similar_texts`` against CANDIDATES texts, for QUERIES queries."""
    import statistics

    from fabrique.synthesis.topics import similar_texts

    texts = resampled(2 * CANDIDATES + QUERIES, perturb=True)
    first, candidates, queries = (
        texts[:CANDIDATES],
        texts[CANDIDATES : 2 * CANDIDATES],
        texts[2 * CANDIDATES :],
    )
    started = time.perf_counter()
    similar_texts(queries[0], first)
    process_first = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    similar_texts(queries[0], candidates)
    cold = (time.perf_counter() - started) * 1000
    timings = []
    for query in queries:
        started = time.perf_counter()
        similar_texts(query, list(candidates))  # a new list each time, as from a request
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "process_first_ms": round(process_first, 2),
        "cold_ms": round(cold, 2),
        "median_ms": round(statistics.median(timings), 3),
        "p95_ms": round(timings[int(0.95 * len(timings)) - 1], 3),
        "max_ms": round(timings[-1], 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,100000", help="comma-separated sizes")
    parser.add_argument("--no-quality", action="store_true", help="speed only")
    parser.add_argument("--no-extras", action="store_true", help="no duplicates, no latency")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",") if size.strip()]
    print(f"Data: {DATA} (read in place). Machine: {os.cpu_count()} cores.", flush=True)
    summary: dict[str, object] = {}
    if not options.no_quality:
        summary.update(quality())
    summary["sizes"] = []
    for n in sizes:
        figures = run_child("--child-topics", str(n))
        print(
            f"topics of {n} texts (automatic k={figures['k']}, vocabulary "
            f"{figures['vocabulary']} terms): {figures['seconds']} s "
            f"({figures['cpu_seconds']} s of processor time), peak resident memory "
            f"{figures['peak_mb']} MB (texts alone: {figures['peak_mb_before']} MB)",
            flush=True,
        )
        summary["sizes"].append(  # type: ignore[attr-defined]
            {key: figures[key] for key in ("n", "seconds", "cpu_seconds", "peak_mb", "k")}
        )
    if not options.no_extras:
        duplicates = run_child("--child-duplicates", str(DUPLICATES_SIZE))
        print(
            f"near-duplicates of {duplicates['n']} texts ({duplicates['distinct']} distinct): "
            f"{duplicates['seconds']} s ({duplicates['cpu_seconds']} s of processor time), "
            f"{duplicates['groups']} groups holding "
            f"{duplicates['grouped']} texts, peak {duplicates['peak_mb']} MB",
            flush=True,
        )
        summary["duplicates"] = duplicates
        latency = similar_latency()
        print(
            f"similar_texts against {CANDIDATES} candidates: first call of the process "
            f"{latency['process_first_ms']} ms, first call on another list "
            f"{latency['cold_ms']} ms (builds its index), then median {latency['median_ms']} "
            f"ms, p95 {latency['p95_ms']} ms, max {latency['max_ms']} ms over {QUERIES} "
            "queries",
            flush=True,
        )
        summary["similar_texts_ms"] = latency
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child-topics":
        child_topics(int(sys.argv[2]))
    elif len(sys.argv) == 3 and sys.argv[1] == "--child-duplicates":
        child_duplicates(int(sys.argv[2]))
    else:
        sys.exit(main())

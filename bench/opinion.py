"""Benchmark of the opinion engine: Pol.is's own groups on four real conversations, and speed.

**Real conversations.** The four Pol.is conversations of ``POLIS_DATA`` (by default
``../shared/data/polis/`` beside the project; Pol.is open data, CC BY 4.0, attribution to The
Computational Democracy Project; read from there at bench time, never copied into the project). For each: ``votes.csv`` in time order (the engine
keeps the latest vote of each voter on each comment), the comments moderated out
(``moderated == -1``) passed as ``excluded_statements`` so that they are handled as Pol.is
handles them (their column set to zero) and never listed, then ``opinion_compute`` with Pol.is's
defaults (at least 7 votes, up to 5 groups). The groups are compared with the ``group-id``
column of Pol.is's export ``participants-votes.csv`` by the adjusted Rand index (ARI), on the
participants both sides put in a group. Also printed: the ARI for seeds 0–4 (the groups depend
on the k-means starts), and a ceiling: Pol.is's own groups run to convergence by k-means on our
map (Lloyd's iterations started from the centres of Pol.is's groups) compared with themselves.
Pol.is's groups come from thousands of incremental updates, each starting from the previous
groups; where they are not a fixed point of k-means on the final data, no single computation
reproduces them exactly.

**Synthetic.** 100 000 participants × 1 000 statements, each participant voting on 20–60
random statements, with 3, then 2, then 4 planted opinion groups (``SYNTHETIC_GROUPS=3`` for one
run): time of ``opinion_compute`` and ARI against the planted groups. The JSON's ``synthetic``
is the first run, ``synthetic_runs`` all of them. Four groups cannot all be told apart on a 2-D
map when their opinions span three dimensions; the engine then finds three.

Times are wall-clock seconds of ``opinion_compute`` alone (data reading and generation apart),
with the CPU seconds beside them because the machine may be shared.

Prints readable lines, then, last, one JSON line.

    make bench-opinion      (POLIS_DATA=… for another data folder)
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import adjusted_rand_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fabrique.synthesis.opinion import opinion_compute  # noqa: E402
from fabrique.synthesis.opinion.clustering import lloyd  # noqa: E402

DATA = Path(os.environ.get("POLIS_DATA", ROOT / ".." / "shared" / "data" / "polis")).resolve()
CONVERSATIONS = [
    "vtaiwan.uberx",
    "15-per-hour-seattle",
    "brexit-consensus",
    "canadian-electoral-reform",
]
SEEDS = range(5)
SYNTHETIC_PARTICIPANTS = 100_000
SYNTHETIC_STATEMENTS = 1_000
SYNTHETIC_GROUPS = [int(g) for g in os.environ.get("SYNTHETIC_GROUPS", "3,2,4").split(",")]


def read_conversation(folder: Path) -> dict[str, Any]:
    with open(folder / "comments.csv", encoding="utf-8") as f:
        comments = list(csv.DictReader(f))
    with open(folder / "votes.csv", encoding="utf-8") as f:
        rows = [
            (int(r["timestamp"]), int(r["voter-id"]), int(r["comment-id"]), int(r["vote"]))
            for r in csv.DictReader(f)
        ]
    rows.sort(key=lambda r: r[0])  # stable: rows with the same timestamp keep the file's order
    with open(folder / "participants-votes.csv", encoding="utf-8") as f:
        polis = {
            int(r["participant"]): int(r["group-id"])
            for r in csv.DictReader(f)
            if r["group-id"] != ""
        }
    comment_ids = sorted({int(c["comment-id"]) for c in comments} | {r[2] for r in rows})
    statement_of = {c: i for i, c in enumerate(comment_ids)}
    voter_ids = sorted({r[1] for r in rows})
    participant_of = {v: i for i, v in enumerate(voter_ids)}
    votes = (
        np.array([participant_of[r[1]] for r in rows]),
        np.array([statement_of[r[2]] for r in rows]),
        np.array([r[3] for r in rows]),
    )
    excluded = [statement_of[int(c["comment-id"])] for c in comments if c["moderated"] == "-1"]
    reference = np.full(len(voter_ids), -1)
    for voter, group in polis.items():
        if voter in participant_of:
            reference[participant_of[voter]] = group
    return {
        "votes": votes,
        "excluded": excluded,
        "reference": reference,
        "n_participants": len(voter_ids),
        "n_statements": len(comment_ids),
        "polis_clustered": len(polis),
    }


def rounded(values: Mapping[int, float]) -> dict[int, float]:
    return {k: round(v, 3) for k, v in values.items()}


def compare(groups: np.ndarray, reference: np.ndarray) -> tuple[float, int]:
    both = (groups >= 0) & (reference >= 0)
    return float(adjusted_rand_score(reference[both], groups[both])), int(both.sum())


def ceiling(result: Any, reference: np.ndarray) -> float:
    """ARI between Pol.is's groups and the k-means fixed point reached from their centres."""
    both = (result.groups >= 0) & (reference >= 0)
    points = result.coordinates[both]
    labels = reference[both]
    ids = np.unique(labels)
    centers = np.array([points[labels == g].mean(axis=0) for g in ids])
    fit = lloyd(points, centers, np.ones(len(points)), max_iterations=300)
    return float(adjusted_rand_score(labels, fit.labels))


def run_conversation(name: str) -> dict[str, Any]:
    data = read_conversation(DATA / name)
    kwargs = {
        "n_participants": data["n_participants"],
        "n_statements": data["n_statements"],
        "excluded_statements": data["excluded"],
    }
    start, cpu = time.perf_counter(), time.process_time()
    result = opinion_compute(data["votes"], seed=0, **kwargs)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    ari, compared = compare(result.groups, data["reference"])
    by_seed = [ari] + [
        compare(opinion_compute(data["votes"], seed=s, **kwargs).groups, data["reference"])[0]
        for s in SEEDS
        if s != 0
    ]
    polis_sizes = np.bincount(data["reference"][data["reference"] >= 0]).tolist()
    top = ceiling(result, data["reference"])
    print(
        f"{name}: {data['n_participants']} voters, {data['n_statements']} comments "
        f"({len(data['excluded'])} moderated out), {len(data['votes'][0])} vote rows"
    )
    print(
        f"  in map {int(result.kept.sum())} (Pol.is clustered {data['polis_clustered']}), "
        f"k={result.k} sizes {list(result.group_sizes)} vs Pol.is {polis_sizes}, "
        f"silhouettes {rounded(result.silhouettes)}, stability {result.stability:.3f}"
    )
    print(
        f"  ARI {ari:.3f} on {compared} participants; seeds 0-4: "
        f"{' '.join(f'{a:.3f}' for a in by_seed)} (min {min(by_seed):.3f}); "
        f"ceiling {top:.3f}; {seconds:.2f} s ({cpu:.2f} s of CPU)"
    )
    print(
        f"  consensus {len(result.consensus)}, divisive {len(result.divisive)}, representative "
        f"per group {[len(r) for r in result.representative]}"
    )
    return {
        "name": name,
        "ari": round(ari, 4),
        "groups": result.k,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "polis_groups": len(polis_sizes),
        "group_sizes": list(result.group_sizes),
        "polis_group_sizes": polis_sizes,
        "compared": compared,
        "ari_by_seed": [round(a, 4) for a in by_seed],
        "ari_ceiling": round(top, 4),
    }


def synthetic_votes(
    n_groups: int, rng: np.random.Generator
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """Planted groups: on half the statements each group leans its own way, on the other half
    every group leans the same way; each participant answers 20–60 random statements."""
    n, m = SYNTHETIC_PARTICIPANTS, SYNTHETIC_STATEMENTS
    shares = rng.dirichlet(np.full(n_groups, 4.0))
    planted = rng.choice(n_groups, size=n, p=shares)
    lean = np.where(rng.random((1, m)) < 0.5, rng.choice([-1, 1], (1, m)), 0)
    own = rng.choice([-1, 1], size=(n_groups, m))
    stance = np.where(lean != 0, lean, own)  # (groups, statements): +1 leans agree
    # P(agree), P(disagree) for a leaning; the rest passes.
    p_agree = np.where(stance > 0, 0.75, 0.15)
    p_disagree = np.where(stance > 0, 0.15, 0.75)
    per_person = rng.integers(20, 61, size=n)
    participants = np.repeat(np.arange(n), per_person)
    statements = rng.integers(0, m, size=participants.size)
    u = rng.random(participants.size)
    g = planted[participants]
    values = np.where(
        u < p_agree[g, statements], 1, np.where(u < (p_agree + p_disagree)[g, statements], -1, 0)
    )
    return (participants, statements, values), planted


def run_synthetic(n_groups: int) -> dict[str, Any]:
    rng = np.random.default_rng(2024 + n_groups)
    votes, planted = synthetic_votes(n_groups, rng)
    start, cpu = time.perf_counter(), time.process_time()
    result = opinion_compute(
        votes, n_participants=SYNTHETIC_PARTICIPANTS, n_statements=SYNTHETIC_STATEMENTS, seed=0
    )
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    ari, compared = compare(result.groups, planted)
    print(
        f"synthetic, {n_groups} planted groups: {SYNTHETIC_PARTICIPANTS} participants × "
        f"{SYNTHETIC_STATEMENTS} statements, {len(votes[0])} votes: {seconds:.1f} s "
        f"({cpu:.1f} s of CPU), "
        f"k={result.k} sizes {list(result.group_sizes)} (planted "
        f"{np.bincount(planted).tolist()}), ARI {ari:.3f} on {compared} participants"
    )
    return {
        "participants": SYNTHETIC_PARTICIPANTS,
        "statements": SYNTHETIC_STATEMENTS,
        "votes": len(votes[0]),
        "planted_groups": n_groups,
        "groups": result.k,
        "ari": round(ari, 4),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "load_average": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    print(f"Pol.is open data from {DATA} (CC BY 4.0, The Computational Democracy Project)")
    conversations = [run_conversation(name) for name in CONVERSATIONS]
    synthetic = [run_synthetic(g) for g in SYNTHETIC_GROUPS]
    print(
        json.dumps(
            {
                "conversations": conversations,
                "synthetic": synthetic[0],
                "synthetic_runs": synthetic,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()

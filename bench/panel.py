"""Benchmark of the panel selection engine against the paper and the reference library.

For each instance (the two examples of Flanigan et al. 2021 and three synthetic French pools),
computes our leximin, checks that every panel of the lottery meets every quota, and compares
the smallest selection probability with the paper's LEXIMIN value (parsed from
``reference_output/<instance>_statistics.txt``, where there is one) and with the maximin of the
reference library ``sortition-algorithms`` run on the same instance in a subprocess, stopped
after ``REFERENCE_TIMEOUT`` seconds (600 by default; reported as null, "not finished"). Prints
readable lines, then, last, one JSON line.

    make bench-panel        (SORTITION_INSTANCES=… for another data folder, REFERENCE_TIMEOUT=…)
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
INSTANCES = Path(
    os.environ.get("SORTITION_INSTANCES", ROOT / ".." / "shared" / "data" / "sortition-instances")
).resolve()
REFERENCE_TIMEOUT = float(os.environ.get("REFERENCE_TIMEOUT", "600"))
TOLERANCE = 1e-4

# name, respondents file, categories file, panel size
CASES = [
    ("example_small_20", "example_small_20/respondents.csv", "example_small_20/categories.csv", 20),
    (
        "example_large_200",
        "example_large_200/respondents.csv",
        "example_large_200/categories.csv",
        200,
    ),
    (
        "fr_quartier_30",
        "synthetic-fr/fr_quartier_30/people.csv",
        "synthetic-fr/fr_quartier_30/features.csv",
        30,
    ),
    (
        "fr_commune_50",
        "synthetic-fr/fr_commune_50/people.csv",
        "synthetic-fr/fr_commune_50/features.csv",
        50,
    ),
    (
        "fr_ccc_150",
        "synthetic-fr/fr_ccc_150/people.csv",
        "synthetic-fr/fr_ccc_150/features.csv",
        150,
    ),
]


def paper_leximin(name: str) -> float | None:
    """The paper's LEXIMIN minimum probability for this instance, if it reports one."""
    path = INSTANCES / "reference_output" / f"{name}_statistics.txt"
    if not path.exists():
        return None
    found = re.search(r"LEXIMIN minimum probability \(exact\):\s*([0-9.]+)%", path.read_text())
    return float(found.group(1)) / 100 if found else None


def reference_child(respondents: str, categories: str, size: int) -> None:
    """Run in the subprocess: the reference maximin; last line of output is JSON."""
    from fabrique.panels.selection import load_instance
    from fabrique.panels.selection.reference import reference_maximin

    result = reference_maximin(load_instance(respondents, categories), size)
    print(json.dumps({"min_probability": result.minimum, "seconds": result.seconds}), flush=True)


def run_reference(
    respondents: Path, categories: Path, size: int
) -> tuple[float | None, float | None, str]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, __file__, "--reference", str(respondents), str(categories), str(size)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=REFERENCE_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return None, None, f"not finished in {REFERENCE_TIMEOUT:.0f} s"
    elapsed = time.perf_counter() - started
    lines = [line for line in output.splitlines() if line.startswith("{")]
    if process.returncode != 0 or not lines:
        return None, None, "failed: " + (output.strip().splitlines() or ["no output"])[-1]
    result = json.loads(lines[-1])
    return float(result["min_probability"]), round(elapsed, 2), "finished"


def panels_meet_quotas(distribution) -> bool:  # type: ignore[no-untyped-def]
    """Independent check of every panel of the lottery: count each value's seats."""
    instance = distribution.instance
    for panel in distribution.panels:
        if sum(panel) != distribution.panel_size:
            return False
        for index, (_category, values) in enumerate(instance.categories.items()):
            seats: Counter[str] = Counter()
            for person_type, count in zip(distribution.types, panel, strict=True):
                if count > person_type.size:
                    return False
                seats[person_type.values[index]] += count
            if any(not q.min <= seats[v] <= q.max for v, q in values.items()):
                return False
    return True


def main() -> int:
    from fabrique.panels.selection import leximin, load_instance

    print(f"Instances from {INSTANCES}; reference stopped after {REFERENCE_TIMEOUT:.0f} s.")
    results = []
    failures = []
    for name, respondents_file, categories_file, size in CASES:
        respondents, categories = INSTANCES / respondents_file, INSTANCES / categories_file
        instance = load_instance(respondents, categories)
        started = time.perf_counter()
        distribution = leximin(instance, size)
        seconds = round(time.perf_counter() - started, 2)
        quotas_ok = panels_meet_quotas(distribution)
        paper = paper_leximin(name)
        library, library_seconds, library_status = run_reference(respondents, categories, size)
        if paper is not None:
            reference, source = paper, "paper"
        elif library is not None:
            reference, source = library, "sortition-algorithms maximin"
        else:
            reference, source = None, None
        checks = [value for value in (paper, library) if value is not None]
        matches = all(abs(distribution.minimum - value) <= TOLERANCE for value in checks)
        if not quotas_ok or not matches:
            failures.append(name)
        print(
            f"{name}: n={len(instance.people)} k={size} types={len(distribution.types)} "
            f"min={distribution.minimum:.6f} median={distribution.median:.6f} "
            f"gini={distribution.gini:.4f} panels={len(distribution.panels)} "
            f"seconds={seconds} ({distribution.stats.method}) | "
            f"paper LEXIMIN={'-' if paper is None else f'{paper:.4f}'} | "
            f"sortition-algorithms maximin="
            f"{'null' if library is None else f'{library:.6f}'} ({library_status}"
            f"{'' if library_seconds is None else f', {library_seconds} s'}) | "
            f"quotas {'met by every panel' if quotas_ok else 'MISSED'}"
            f"{'' if matches else ' | MISMATCH'}",
            flush=True,
        )
        results.append(
            {
                "name": name,
                "n": len(instance.people),
                "k": size,
                "min_probability": round(distribution.minimum, 8),
                "seconds": seconds,
                "reference_min_probability": reference,
                "reference_seconds": library_seconds,
                "reference_source": source,
                "paper_leximin": paper,
                "library_maximin": library,
                "library_seconds": library_seconds,
                "library_status": library_status,
                "types": len(distribution.types),
                "median": round(distribution.median, 8),
                "gini": round(distribution.gini, 6),
                "support_size": len(distribution.panels),
                "quotas_met": quotas_ok,
            }
        )
    if failures:
        print(f"Checks failed for: {', '.join(failures)}")
    print(json.dumps({"instances": results}))
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--reference":
        reference_child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(main())

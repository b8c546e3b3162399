"""The draw_panel command, end to end on small files (no database)."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def pool_files(tmp_path: Path) -> tuple[Path, Path]:
    features = tmp_path / "features.csv"
    features.write_text(
        "feature,value,min,max\ngenre,femme,2,3\ngenre,homme,2,3\nage,jeune,1,3\nage,senior,1,3\n",
        encoding="utf-8",
    )
    rows = ["id,nom,genre,age"]
    for i in range(14):
        genre = "femme" if i % 3 else "homme"
        age = "jeune" if i % 4 == 0 else "senior"
        rows.append(f"v{i:02d},Nom {i},{genre},{age}")
    people = tmp_path / "people.csv"
    people.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return people, features


def run(people: Path, features: Path, output: Path, seed: str, **extra: str) -> str:
    stdout = StringIO()
    call_command(
        "draw_panel",
        respondents=str(people),
        categories=str(features),
        size=5,
        seed=seed,
        output=str(output),
        stdout=stdout,
        **extra,
    )
    return stdout.getvalue()


def test_same_seed_same_file_byte_for_byte(tmp_path: Path) -> None:
    people, features = pool_files(tmp_path)
    summary = run(people, features, tmp_path / "a.csv", "0", lottery=str(tmp_path / "l.csv"))
    run(people, features, tmp_path / "b.csv", "0")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    rows = list(csv.DictReader((tmp_path / "a.csv").open(encoding="utf-8")))
    assert [row["id"] for row in rows] == [f"v{i:02d}" for i in range(14)]
    chosen = [row for row in rows if row["selected"] == "1"]
    assert len(chosen) == 5
    assert sum(float(row["probability"]) for row in rows) == pytest.approx(5, abs=1e-6)
    women = sum(1 for row in chosen if int(row["id"][1:]) % 3)
    assert 2 <= women <= 3
    for word in ("smallest", "Gini", "Seconds"):
        assert word in summary
    lottery = list(csv.DictReader((tmp_path / "l.csv").open(encoding="utf-8")))
    assert sum(int(w) for w in {row["panel"]: row["weight"] for row in lottery}.values()) == 10**9


def test_other_seed_can_change_the_panel(tmp_path: Path) -> None:
    people, features = pool_files(tmp_path)
    run(people, features, tmp_path / "a.csv", "0")
    outputs = set()
    for seed in ("1", "2", "3", "abc", "12 25 31 40 44"):
        run(people, features, tmp_path / "x.csv", seed)
        outputs.add((tmp_path / "x.csv").read_bytes())
    assert len(outputs) > 1


def test_infeasible_quotas_are_explained(tmp_path: Path) -> None:
    people, _features = pool_files(tmp_path)
    features = tmp_path / "bad.csv"
    features.write_text(
        "feature,value,min,max\ngenre,femme,4,5\ngenre,homme,4,5\nage,jeune,0,5\nage,senior,0,5\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="add up to 8, more than the panel size 5"):
        run(people, features, tmp_path / "a.csv", "0")
    assert not (tmp_path / "a.csv").exists()

"""Selection engine: leximin, draw, replacements, feasibility, file formats (no database)."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from fabrique.panels.selection import (
    WEIGHT_UNITS,
    InfeasibleQuotasError,
    Instance,
    InvalidInstanceError,
    check_feasibility,
    draw_panel,
    draw_replacements,
    leximin,
    load_instance,
)
from fabrique.panels.selection import errors as e
from fabrique.panels.selection.draw import digest, draw_from, ticket
from fabrique.panels.selection.leximin import gini


def two_levels() -> Instance:
    """One seat for a woman among 4, one for a man among 6: leximin 1/6 for men, 1/4 for women.

    Maximin alone only says everyone gets at least 1/6; leximin also lifts the women to 1/4.
    """
    people = {"A1": {"gender": "f", "age": "young"}}
    people.update({f"B{i}": {"gender": "f", "age": "old"} for i in range(3)})
    people.update({f"C{i}": {"gender": "m", "age": "young"} for i in range(3)})
    people.update({f"D{i}": {"gender": "m", "age": "old"} for i in range(3)})
    return Instance.build(
        {"gender": {"f": (1, 1), "m": (1, 1)}, "age": {"young": (0, 2), "old": (0, 2)}}, people
    )


def random_instance(seed: int, people: int = 40, categories: int = 3) -> Instance:
    """A skewed pool with loose quotas around the shares (always feasible for k = 8)."""
    rng = random.Random(seed)
    values = {f"c{c}": [f"v{v}" for v in range(2 + c % 2)] for c in range(categories)}
    pool = {
        f"p{i:03d}": {
            c: rng.choices(vs, weights=[3, 2, 1][: len(vs)])[0] for c, vs in values.items()
        }
        for i in range(people)
    }
    quotas = {c: dict.fromkeys(vs, (1, 6)) for c, vs in values.items()}
    return Instance.build(quotas, pool)


def panel_members_meet_quotas(instance: Instance, members: list[str], size: int) -> bool:
    """Independent check: count each value among the members."""
    if len(members) != size or len(set(members)) != size:
        return False
    for index, values in enumerate(instance.categories.values()):
        counts = Counter(instance.values[person][index] for person in members)
        for value, quota in values.items():
            if not quota.min <= counts[value] <= quota.max:
                return False
    return True


# --- Leximin -----------------------------------------------------------------------------------


def test_leximin_known_by_hand() -> None:
    distribution = leximin(two_levels(), 2)
    probabilities = distribution.probabilities
    for person in ("A1", "B0", "B1", "B2"):
        assert probabilities[person] == pytest.approx(1 / 4, abs=1e-7)
    for person in ("C0", "C1", "C2", "D0", "D1", "D2"):
        assert probabilities[person] == pytest.approx(1 / 6, abs=1e-7)
    assert distribution.minimum == pytest.approx(1 / 6, abs=1e-7)
    assert distribution.median == pytest.approx(1 / 6, abs=1e-7)  # six of the ten
    assert sum(probabilities.values()) == pytest.approx(2, abs=1e-6)


def test_equal_pool_gets_k_over_n_and_gini_zero() -> None:
    people = {f"p{i}": {"gender": "f" if i % 2 else "m"} for i in range(10)}
    instance = Instance.build({"gender": {"f": (2, 2), "m": (2, 2)}}, people)
    distribution = leximin(instance, 4)
    assert all(p == pytest.approx(0.4, abs=1e-8) for p in distribution.probabilities.values())
    assert distribution.gini == pytest.approx(0.0, abs=1e-7)


def test_gini_formula() -> None:
    assert gini([1.0, 1.0, 1.0]) == 0.0
    assert gini([0.0, 0.0, 1.0]) == pytest.approx(2 / 3)


@pytest.mark.parametrize("seed", [1, 2])
def test_support_meets_quotas_and_probabilities_come_from_it(seed: int) -> None:
    instance = random_instance(seed)
    distribution = leximin(instance, 8)
    assert sum(distribution.weights) == WEIGHT_UNITS
    assert all(weight > 0 for weight in distribution.weights)
    assert list(distribution.panels) == sorted(distribution.panels)
    recomputed = Counter[str]()
    for panel, weight in zip(distribution.panels, distribution.weights, strict=True):
        members = [
            person
            for person_type, count in zip(distribution.types, panel, strict=True)
            for person in person_type.members[:count]
        ]
        assert panel_members_meet_quotas(instance, members, 8)
        for person_type, count in zip(distribution.types, panel, strict=True):
            for person in person_type.members:
                recomputed[person] += weight * count / (WEIGHT_UNITS * person_type.size)
    for person, probability in distribution.probabilities.items():
        assert probability == pytest.approx(recomputed[person], abs=1e-12)
    assert sum(distribution.probabilities.values()) == pytest.approx(8, abs=1e-6)


def test_interchangeable_people_get_the_same_probability() -> None:
    instance = random_instance(3)
    probabilities = leximin(instance, 8).probabilities
    by_values: dict[tuple[str, ...], set[float]] = {}
    for person, probability in probabilities.items():
        by_values.setdefault(instance.values[person], set()).add(probability)
    assert all(len(found) == 1 for found in by_values.values())


@pytest.mark.parametrize("seed", [4, 5])
def test_fast_path_equals_the_papers_staged_method(seed: int) -> None:
    instance = random_instance(seed, people=30, categories=4)
    fast = leximin(instance, 8)
    staged = leximin(instance, 8, method="staged")
    assert fast.stats.method == "decomposition"
    assert staged.stats.method == "staged"
    assert sorted(fast.type_probabilities) == pytest.approx(
        sorted(staged.type_probabilities), abs=1e-6
    )


def test_progress_is_reported_up_to_one() -> None:
    seen: list[float] = []
    leximin(random_instance(6), 8, lambda fraction, _message: seen.append(fraction))
    assert seen[-1] == 1.0
    assert all(0.0 <= fraction <= 1.0 for fraction in seen)


# --- Draw --------------------------------------------------------------------------------------


def test_draw_is_reproducible_for_any_seed_including_zero() -> None:
    instance = random_instance(7)
    distribution = leximin(instance, 8)
    first = draw_panel(instance, 8, "0", distribution)
    again = draw_panel(random_instance(7), 8, "0")  # recomputed from scratch
    assert first.selected == again.selected
    assert first.ticket == again.ticket
    assert panel_members_meet_quotas(instance, list(first.selected), 8)
    other = draw_panel(instance, 8, "abc", distribution)
    assert panel_members_meet_quotas(instance, list(other.selected), 8)
    assert draw_panel(instance, 8, "abc", distribution).selected == other.selected
    draws = {draw_panel(instance, 8, str(s), distribution).selected for s in range(20)}
    assert len(draws) > 5


def test_draw_can_be_checked_by_hand() -> None:
    instance = two_levels()
    draw = draw_panel(instance, 2, "12 25 31 40 44")
    number = int(digest("panel", "12 25 31 40 44", instance.fingerprint, "2"), 16) % WEIGHT_UNITS
    assert draw.ticket == number == ticket("panel", "12 25 31 40 44", instance.fingerprint, 2)
    running = 0
    for index, weight in enumerate(draw.distribution.weights):
        running += weight
        if running > number:
            assert draw.panel_index == index
            break
    expected = []
    for person_type, count in zip(draw.distribution.types, draw.counts, strict=True):
        ordered = sorted(
            person_type.members,
            key=lambda p: digest("person", "12 25 31 40 44", instance.fingerprint, "2", p),
        )
        expected.extend(ordered[:count])
    assert draw.selected == tuple(sorted(expected))


def test_frequencies_over_many_seeds_match_probabilities() -> None:
    instance = two_levels()
    distribution = leximin(instance, 2)
    runs = 3000
    counts = Counter[str]()
    for seed in range(runs):
        counts.update(draw_from(distribution, f"seed-{seed}")[2])
    for person, probability in distribution.probabilities.items():
        sigma = (probability * (1 - probability) / runs) ** 0.5
        assert abs(counts[person] / runs - probability) < 4.5 * sigma


def test_fingerprint_ignores_row_order_but_not_content() -> None:
    instance = random_instance(8)
    reversed_people = tuple(reversed(instance.people))
    shuffled = Instance(instance.categories, reversed_people, instance.values)
    assert shuffled.fingerprint == instance.fingerprint
    changed = dict(instance.values)
    person = instance.people[0]
    values = list(changed[person])
    values[0] = "v1" if values[0] == "v0" else "v0"
    changed[person] = tuple(values)
    assert Instance(instance.categories, instance.people, changed).fingerprint != (
        instance.fingerprint
    )


def test_empty_seed_is_refused() -> None:
    with pytest.raises(InvalidInstanceError) as raised:
        draw_panel(two_levels(), 2, "")
    assert isinstance(raised.value.problems[0], e.InvalidSeed)


# --- Replacements ------------------------------------------------------------------------------


def test_replacement_keeps_quotas_and_skips_excluded() -> None:
    instance = random_instance(9)
    first = draw_panel(instance, 8, "first")
    leaving = first.selected[:2]
    staying = first.selected[2:]
    replacement = draw_replacements(instance, 8, "second", staying, first.selected)
    assert replacement.seats == 2
    assert len(replacement.selected) == 2
    assert not set(replacement.selected) & set(first.selected)
    assert replacement.relaxations == ()
    assert replacement.violations == ()
    assert panel_members_meet_quotas(instance, [*staying, *replacement.selected], 8)
    assert set(replacement.probabilities) == set(instance.people) - set(first.selected)
    again = draw_replacements(instance, 8, "second", staying, first.selected)
    assert again.selected == replacement.selected
    assert set(leaving) <= set(first.selected)


def test_replacement_relaxes_as_little_as_possible_when_it_must() -> None:
    instance = two_levels()
    # The only women left have declined: the seat of the woman cannot go to a woman.
    replacement = draw_replacements(
        instance, 2, "7", members=["C0"], excluded=["A1", "B0", "B1", "B2"]
    )
    # Quotas left: one woman, no man; only men are available. Both must give way by one.
    assert set(replacement.relaxations) == {
        e.QuotaRelaxation("gender", "f", "min", 1, 0),
        e.QuotaRelaxation("gender", "m", "max", 0, 1),
    }
    assert len(replacement.selected) == 1
    assert replacement.selected[0].startswith(("C", "D"))
    assert set(replacement.violations) == {
        e.QuotaViolation("gender", "f", "min", 1, 0),
        e.QuotaViolation("gender", "m", "max", 1, 2),
    }


def test_replacement_rejects_unknown_people() -> None:
    with pytest.raises(InvalidInstanceError) as raised:
        draw_replacements(two_levels(), 2, "1", members=["nobody"], excluded=[])
    assert e.UnknownPerson("nobody") in raised.value.problems


# --- Feasibility -------------------------------------------------------------------------------


def test_too_few_volunteers_for_a_minimum() -> None:
    people = {f"p{i}": {"gender": "m"} for i in range(5)} | {"w": {"gender": "f"}}
    instance = Instance.build({"gender": {"f": (2, 3), "m": (1, 3)}}, people)
    problems = check_feasibility(instance, 4)
    assert e.TooFewVolunteers("gender", "f", 1, 2) in problems
    assert e.QuotaRelaxation("gender", "f", "min", 2, 1) in problems
    with pytest.raises(InfeasibleQuotasError) as raised:
        leximin(instance, 4)
    assert e.TooFewVolunteers("gender", "f", 1, 2) in raised.value.problems


def test_category_sums_against_panel_size() -> None:
    people = {f"p{i}": {"gender": "f" if i % 2 else "m"} for i in range(10)}
    too_many = Instance.build({"gender": {"f": (3, 5), "m": (3, 5)}}, people)
    assert e.MinimumsAbovePanelSize("gender", 6, 5) in check_feasibility(too_many, 5)
    too_few = Instance.build({"gender": {"f": (0, 1), "m": (0, 2)}}, people)
    assert e.MaximumsBelowPanelSize("gender", 3, 5) in check_feasibility(too_few, 5)
    assert check_feasibility(too_many, 6) == []


def test_pool_smaller_than_panel() -> None:
    instance = Instance.build({"g": {"x": (0, 5)}}, {"a": {"g": "x"}, "b": {"g": "x"}})
    assert check_feasibility(instance, 3) == [e.PoolTooSmall(2, 3)]


def test_conflict_between_categories_found_by_the_elastic_programme() -> None:
    # Every woman is young and every man old: 2 women and 2 old people cannot both fit in 3.
    people = {f"w{i}": {"gender": "f", "age": "young"} for i in range(3)}
    people.update({f"m{i}": {"gender": "m", "age": "old"} for i in range(3)})
    instance = Instance.build(
        {"gender": {"f": (2, 3), "m": (0, 3)}, "age": {"young": (0, 1), "old": (0, 3)}}, people
    )
    problems = check_feasibility(instance, 3)
    relaxations = [p for p in problems if isinstance(p, e.QuotaRelaxation)]
    assert sum(r.amount for r in relaxations) == 1
    assert relaxations[0] in (
        e.QuotaRelaxation("gender", "f", "min", 2, 1),
        e.QuotaRelaxation("age", "young", "max", 1, 2),
    )


def test_bad_data_is_reported_not_crashed() -> None:
    with pytest.raises(InvalidInstanceError) as raised:
        Instance.build(
            {"g": {"x": (3, 1), "y": (0, 2)}}, {"a": {"g": "x"}, "b": {"g": "z"}, "": {"g": "x"}}
        )
    problems = raised.value.problems
    assert e.MinAboveMax("g", "x", 3, 1) in problems
    assert e.UnknownValue("b", "g", "z") in problems
    assert any(isinstance(p, e.EmptyId) for p in problems)


# --- Files -------------------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_replication_format(tmp_path: Path) -> None:
    categories = write(
        tmp_path / "categories.csv",
        "category,feature,min,max\ngender,f,1,1\ngender,m,1,1\n",
    )
    respondents = write(tmp_path / "respondents.csv", "gender\nf\nm\nm\nf\n")
    instance = load_instance(respondents, categories)
    assert instance.people == ("0", "1", "2", "3")
    assert instance.value_of("1", "gender") == "m"
    assert instance.categories["gender"]["f"] == (1, 1)


def test_sortition_algorithms_format_ignores_other_columns(tmp_path: Path) -> None:
    features = write(
        tmp_path / "features.csv", "feature,value,min,max\ngenre,femme,1,2\ngenre,homme,0,2\n"
    )
    people = write(
        tmp_path / "people.csv",
        "id,email,genre\nx1,a@example.org,femme\nx2,b@example.org, homme \n",
    )
    instance = load_instance(people, features)
    assert instance.people == ("x1", "x2")
    assert instance.values["x2"] == ("homme",)
    semicolons = write(tmp_path / "people2.csv", "id;genre\nx1;femme\nx2;homme\n")
    assert load_instance(semicolons, features).fingerprint == instance.fingerprint


def test_file_errors_name_the_line_and_the_value(tmp_path: Path) -> None:
    features = write(
        tmp_path / "features.csv",
        "feature,value,min,max\ngenre,femme,1.5,2\ngenre,homme,x,2\ngenre,autre,2.0,3\n",
    )
    with pytest.raises(InvalidInstanceError) as raised:
        load_instance(tmp_path / "nothing.csv", features)
    assert e.InvalidQuota("genre", "femme", "min", "1.5", 2) in raised.value.problems
    assert e.InvalidQuota("genre", "homme", "min", "x", 3) in raised.value.problems
    features = write(tmp_path / "f2.csv", "feature,value,min,max\ngenre,femme,0,2\n")
    people = write(tmp_path / "p.csv", "id,genre\nx1,femme\nx2,Femme\n")
    with pytest.raises(InvalidInstanceError) as raised:
        load_instance(people, features)
    assert raised.value.problems == (e.UnknownValue("x2", "genre", "Femme", 3),)
    people = write(tmp_path / "p3.csv", "id,age\nx1,20\n")
    with pytest.raises(InvalidInstanceError) as raised:
        load_instance(people, features)
    assert raised.value.problems == (e.MissingColumn(str(people), "genre"),)
    wrong = write(tmp_path / "f3.csv", "name,low,high\n")
    with pytest.raises(InvalidInstanceError) as raised:
        load_instance(people, wrong)
    assert isinstance(raised.value.problems[0], e.UnknownCategoriesFormat)

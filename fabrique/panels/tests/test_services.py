from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from fabrique.panels import services
from fabrique.panels.models import Category, CategoryValue, Volunteer
from fabrique.panels.tests.factories import add_volunteers, make_panel, panel_process
from fabrique.territories.services import basins_import_csv, grouping_create
from fabrique.territories.tests.factories import CommuneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("share", "size", "tolerance", "bounds"),
    [
        (Decimal(50), 10, 0, (5, 5)),  # an exact share: exactly that
        (Decimal(25), 10, 0, (2, 3)),  # 2.5 seats: 2 or 3
        (Decimal(25), 10, 1, (1, 4)),
        (Decimal("3.3"), 50, 1, (0, 3)),  # 1.65 seats
        (Decimal(100), 10, 2, (8, 10)),  # never above the size
        (None, 10, 1, (0, 10)),  # no known share: free
    ],
)
def test_quota_bounds_round_down_and_up_then_widen(share, size, tolerance, bounds) -> None:
    assert services.quota_bounds(share, size, tolerance) == bounds


def test_values_are_typed_one_per_line_with_their_shares() -> None:
    values = services.parse_value_lines("Femme ; 52,1\n\nHomme;47.9 %\n")

    assert values == [
        services.ValueShare("Femme", Decimal("52.1")),
        services.ValueShare("Homme", Decimal("47.9")),
    ]


def test_every_faulty_value_line_is_reported() -> None:
    with pytest.raises(ValidationError) as error:
        services.parse_value_lines("Femme ; beaucoup\n ; 20\nHomme ; 130\nhomme")

    messages = error.value.message_dict["values"]
    assert any("Line 1" in m for m in messages)
    assert any("Line 2" in m for m in messages)
    assert any("Line 3" in m for m in messages)


def test_commune_and_basin_quotas_come_from_the_official_populations() -> None:
    process = panel_process()
    territory = process.territory
    big = CommuneFactory(name="Grande-Ville", population=7500)
    small = CommuneFactory(name="Petit-Bourg", population=2500)
    territory.communes.set([big, small])
    grouping = grouping_create(territory=territory, name="Bassins")
    basins_import_csv(
        grouping=grouping,
        content=f"commune;bassin\n{big.insee_code};Centre\n{small.insee_code};Campagne\n",
    )
    panel = services.panel_save(process=process, title="Panel", size=8, tolerance=0)

    communes = services.category_add(
        panel=panel, kind=Category.Kind.COMMUNE, label="Commune", why_asked="Territoire"
    )
    basins = services.category_add(
        panel=panel,
        kind=Category.Kind.BASIN,
        label="Bassin",
        why_asked="Territoire",
        grouping=grouping,
    )

    by_label = {v.label: v for v in communes.values.all()}
    assert by_label["Grande-Ville"].population_share == Decimal("75.000")
    assert (by_label["Grande-Ville"].min_count, by_label["Grande-Ville"].max_count) == (6, 6)
    assert {v.label: (v.min_count, v.max_count) for v in basins.values.all()} == {
        "Centre": (6, 6),
        "Campagne": (2, 2),
    }
    assert communes.source  # the official populations are named as the source


def test_a_volunteer_gets_the_commune_and_basin_values_of_where_they_live() -> None:
    process = panel_process()
    home = CommuneFactory(name="Chez-Moi", population=100)
    process.territory.communes.set([home, CommuneFactory(population=300)])
    panel = services.panel_save(process=process, title="Panel", size=2, signup_open=True)
    services.category_add(
        panel=panel, kind=Category.Kind.COMMUNE, label="Commune", why_asked="Territoire"
    )
    gender = services.category_add(
        panel=panel,
        kind=Category.Kind.GENDER,
        label="Genre",
        why_asked="Parité",
        values=[services.ValueShare("Femme", None), services.ValueShare("Homme", None)],
    )
    woman = gender.values.get(label="Femme")

    volunteer = services.volunteer_signup(
        panel=panel,
        data=services.VolunteerData(
            first_name="Ana", last_name="Lopez", email="ana@example.org", commune=home,
            answers={gender.pk: woman},
        ),
    )  # fmt: skip

    assert sorted(v.label for v in volunteer.values.all()) == ["Chez-Moi", "Femme"]
    assert volunteer.confirmed_at is None  # until the e-mail link is followed
    assert volunteer.pseudonym == "V0001"


def test_sign_up_refuses_duplicates_missing_answers_and_outsiders() -> None:
    panel = make_panel()
    add_volunteers(panel, [("Femme", "16-34")])
    genre = panel.categories.get(label="Genre")

    with pytest.raises(ValidationError) as duplicate:
        services.volunteer_signup(
            panel=panel,
            data=services.VolunteerData(
                first_name="A", last_name="B", email="VOLONTAIRE0@example.org",
                answers={genre.pk: genre.values.first()},
            ),
        )  # fmt: skip
    assert "already signed up" in str(duplicate.value)

    errors = services.volunteer_errors(
        panel, services.VolunteerData(first_name="", last_name="B", email="pas-une-adresse")
    )
    assert set(errors) == {"first_name", "email", f"category-{genre.pk}",
                           f"category-{panel.categories.get(label='Âge').pk}"}  # fmt: skip
    assert panel.volunteers.count() == 1


def test_duplicates_are_found_by_telephone_whatever_its_spelling() -> None:
    panel = make_panel()
    (volunteer,) = add_volunteers(panel, [("Femme", "16-34")])
    volunteer.phone = "+33 6 12 34 56 78"
    volunteer.save()

    assert services.find_duplicate(panel, email="", phone="06.12.34.56.78") == volunteer
    assert services.find_duplicate(panel, email="", phone="06 12 34 56 79") is None


def test_sign_up_is_closed_when_staff_close_it_or_after_the_seed() -> None:
    panel = make_panel()
    assert services.signup_is_open(panel)
    panel.signup_open = False
    panel.save()
    assert not services.signup_is_open(panel)


def test_feasibility_says_in_words_what_is_missing() -> None:
    panel = make_panel(size=4)  # 2 women, 2 men; 1 aged 16-34, 3 aged 35+
    add_volunteers(panel, [("Femme", "35+"), ("Femme", "35+"), ("Homme", "35+"), ("Homme", "35+"),
                           ("Homme", "35+")])  # fmt: skip

    problems = services.feasibility(panel)

    assert problems
    assert any("16-34" in p and "at least 1" in p for p in problems)


def test_feasible_quotas_give_no_problem() -> None:
    panel = make_panel(size=4)
    add_volunteers(panel, [("Femme", "16-34"), ("Femme", "35+"), ("Homme", "35+"),
                           ("Homme", "35+"), ("Femme", "35+")])  # fmt: skip

    assert services.feasibility(panel) == []


def test_unconfirmed_and_withdrawn_volunteers_are_not_drawn() -> None:
    panel = make_panel()
    confirmed, gone = add_volunteers(panel, [("Femme", "16-34"), ("Homme", "35+")])
    add_volunteers(panel, [("Homme", "16-34")], confirmed=False)
    services.volunteer_withdraw(volunteer=gone)

    assert services.drawable(panel) == [confirmed]
    gone.refresh_from_db()
    assert (gone.first_name, gone.email, gone.status) == ("—", "", Volunteer.Status.WITHDRAWN)


def test_publishing_the_seed_freezes_the_pool_and_the_quotas() -> None:
    panel = make_panel(size=4)
    add_volunteers(panel, [("Femme", "16-34"), ("Femme", "35+"), ("Homme", "35+"),
                           ("Homme", "35+"), ("Femme", "35+")])  # fmt: skip

    draw = services.seed_publish(panel=panel, seed="12 25 31 40 48", by=None)

    assert draw.respondents_csv.splitlines()[0] == "id,Genre,Âge"
    assert draw.respondents_csv.splitlines()[1] == "V0001,Femme,16-34"
    assert "Prénom" not in draw.respondents_csv
    assert "@" not in draw.respondents_csv
    assert "Genre,Femme,2,2" in draw.categories_csv.splitlines()
    with pytest.raises(ValidationError, match="can no longer change"):
        services.seed_publish(panel=panel, seed="autre", by=None)
    value = CategoryValue.objects.filter(category__panel=panel).first()
    with pytest.raises(ValidationError, match="locked"):
        services.value_quota_set(value=value, min_count=0, max_count=4)
    with pytest.raises(ValidationError, match="closed"):
        services.volunteer_signup(
            panel=panel, data=services.VolunteerData(first_name="A", last_name="B")
        )


def test_no_seed_is_published_for_quotas_no_panel_can_meet() -> None:
    panel = make_panel(size=4)
    add_volunteers(panel, [("Homme", "35+")] * 6)

    with pytest.raises(ValidationError) as error:
        services.seed_publish(panel=panel, seed="1 2 3", by=None)

    assert "Femme" in str(error.value)
    assert not panel.draws.exists()


@pytest.mark.parametrize("seed", ["", "   ", "x" * 101])
def test_a_seed_is_something_and_not_too_long(seed) -> None:
    panel = make_panel(size=4)
    add_volunteers(panel, [("Femme", "16-34"), ("Femme", "35+"), ("Homme", "35+"),
                           ("Homme", "35+")])  # fmt: skip

    with pytest.raises(ValidationError):
        services.seed_publish(panel=panel, seed=seed, by=None)


def test_quotas_adjusted_by_hand_are_checked_and_kept() -> None:
    panel = make_panel(size=4)
    value = CategoryValue.objects.get(category__panel=panel, label="Femme")

    with pytest.raises(ValidationError, match="above the maximum"):
        services.value_quota_set(value=value, min_count=3, max_count=2)
    services.value_quota_set(value=value, min_count=1, max_count=3)
    services.panel_save(process=panel.process, panel=panel, title=panel.title, size=4,
                        tolerance=1)  # fmt: skip

    value.refresh_from_db()
    assert (value.min_count, value.max_count, value.adjusted) == (1, 3, True)
    other = CategoryValue.objects.get(category__panel=panel, label="Homme")
    assert (other.min_count, other.max_count) == (1, 3)  # recomputed with the tolerance
    services.quotas_reset(panel=panel)
    value.refresh_from_db()
    assert (value.min_count, value.max_count, value.adjusted) == (1, 3, False)


def test_feasibility_names_two_values_that_too_few_volunteers_share() -> None:
    # 4 seats: 2 women and 2 men; 1 young (16-34) and 3 older. Both young volunteers are men,
    # and no older man volunteered: the 2 men's seats need 2 young men… but the quotas allow
    # at most 1 young person.
    panel = make_panel(size=4)
    add_volunteers(panel, [("Homme", "16-34"), ("Homme", "16-34"), ("Femme", "35+"),
                           ("Femme", "35+"), ("Femme", "35+")])  # fmt: skip

    problems = services.feasibility(panel)

    assert any("« Homme » (Genre) and « 35+ » (Âge)" in p and "ask for 1" in p for p in problems), (
        problems
    )


POOL = [("Femme", "16-34"), ("Femme", "35+"), ("Homme", "35+"), ("Homme", "35+"),
        ("Femme", "35+"), ("Homme", "16-34"), ("Femme", "35+"), ("Homme", "35+")]  # fmt: skip


def _drawn(panel):
    return list(panel.volunteers.filter(status=Volunteer.Status.SELECTED).order_by("number"))


def test_the_draw_meets_the_quotas_and_anyone_can_recompute_it(tmp_path) -> None:
    from django.core.management import call_command

    panel = make_panel(size=4)
    add_volunteers(panel, POOL)
    draw = services.draw_run(draw=services.seed_publish(panel=panel, seed="0", by=None))

    members = _drawn(panel)
    assert draw.status == "done"
    assert len(members) == 4
    labels = [v.label for m in members for v in m.values.all()]
    assert labels.count("Femme") == 2
    assert labels.count("16-34") == 1
    assert sum(draw.probabilities.values()) == pytest.approx(4)
    assert draw.min_probability == pytest.approx(min(draw.probabilities.values()))
    # The published files and the seed give the same result on the command line.
    (tmp_path / "people.csv").write_text(draw.respondents_csv, encoding="utf-8")
    (tmp_path / "features.csv").write_text(draw.categories_csv, encoding="utf-8")
    call_command(
        "draw_panel", "--respondents", str(tmp_path / "people.csv"),
        "--categories", str(tmp_path / "features.csv"), "--size", "4", "--seed", "0",
        "--output", str(tmp_path / "result.csv"), verbosity=0,
    )  # fmt: skip
    assert (tmp_path / "result.csv").read_text(encoding="utf-8") == services.draw_result_csv(draw)


def test_a_draw_is_run_once_even_if_asked_twice() -> None:
    panel = make_panel(size=4)
    add_volunteers(panel, POOL)
    draw = services.seed_publish(panel=panel, seed="abc", by=None)

    first = services.draw_run(draw=draw)
    again = services.draw_run(draw=draw)

    assert again.selected == first.selected
    assert panel.volunteers.filter(status=Volunteer.Status.SELECTED).count() == 4


def test_a_replacement_keeps_the_quotas_of_the_whole_panel() -> None:
    panel = make_panel(size=4)
    add_volunteers(panel, [*POOL, ("Homme", "16-34"), ("Femme", "16-34")])  # 2 young of each
    services.draw_run(draw=services.seed_publish(panel=panel, seed="1", by=None))
    leaving = next(m for m in _drawn(panel) if "16-34" in [v.label for v in m.values.all()])
    gender = next(v.label for v in leaving.values.all() if v.category.label == "Genre")
    services.member_release(volunteer=leaving, status=Volunteer.Status.DECLINED, note="Absent")

    draw = services.replacement_seed_publish(panel=panel, seed="2", by=None)
    assert draw.seats == 1
    assert list(draw.replaced.all()) == [leaving]
    assert "Âge,16-34,1,1" in draw.categories_csv.splitlines()  # what the others leave
    assert not draw.relaxed
    draw = services.draw_run(draw=draw)

    members = services.members(panel)
    assert len(members) == 4
    assert leaving not in members
    newcomer = next(m for m in members if m.pseudonym in draw.selected)
    assert sorted(v.label for v in newcomer.values.all()) == sorted([gender, "16-34"])
    with pytest.raises(ValidationError, match="complete"):
        services.replacement_seed_publish(panel=panel, seed="3", by=None)


def test_a_replacement_that_cannot_meet_the_quotas_loosens_them_and_says_so() -> None:
    panel = make_panel(size=4)
    add_volunteers(panel, [("Femme", "16-34"), ("Femme", "35+"), ("Homme", "35+"),
                           ("Homme", "35+"), ("Homme", "35+")])  # fmt: skip
    services.draw_run(draw=services.seed_publish(panel=panel, seed="1", by=None))
    young = next(m for m in _drawn(panel) if "16-34" in [v.label for v in m.values.all()])
    services.member_release(volunteer=young, status=Volunteer.Status.LEFT)

    draw = services.replacement_seed_publish(panel=panel, seed="2", by=None)

    assert draw.relaxed  # no young woman left in the pool
    assert services.draw_run(draw=draw).status == "done"
    assert len(services.members(panel)) == 4


def test_no_category_is_added_once_volunteers_were_asked_the_others() -> None:
    panel = make_panel()
    add_volunteers(panel, [("Femme", "16-34")])

    with pytest.raises(ValidationError, match="not asked"):
        services.category_add(
            panel=panel, kind=Category.Kind.EDUCATION, label="Diplôme", why_asked="…",
            values=[services.ValueShare("Bac", None), services.ValueShare("Sans", None)],
        )  # fmt: skip
    assert panel.categories.count() == 2

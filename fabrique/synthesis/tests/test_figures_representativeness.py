"""Representativeness: who took part, against the population of communes, basins and the
shares staff enter for age bands and gender."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fabrique.accounts.models import AgeBand, Gender
from fabrique.accounts.tests.factories import UserFactory
from fabrique.participation.models import Comment, Support
from fabrique.participation.tests.factories import open_process
from fabrique.synthesis.models import ReferenceShare
from fabrique.synthesis.selectors import figures
from fabrique.synthesis.services.figures import (
    reference_shares_parse,
    reference_shares_set,
    reference_shares_text,
    value_for,
)
from fabrique.synthesis.tests.factories import ContributionFactory
from fabrique.synthesis.tests.test_figures import make_scene
from fabrique.territories.models import Basin, BasinGrouping, BasinMembership
from fabrique.territories.tests.factories import CommuneFactory, TerritoryFactory
from fabrique.workshops.models import Registration
from fabrique.workshops.tests.factories import RegistrationFactory, WorkshopFactory

pytestmark = pytest.mark.django_db


def rows_by_label(table: figures.GroupTable) -> dict[str, figures.GroupRow]:
    return {row.label: row for row in table.rows}


class TestParticipants:
    def test_every_way_of_taking_part_counts_once_per_person(self):
        scene = make_scene()
        process = scene.process
        first = process.phases.first()
        assert first is not None
        contribution = ContributionFactory(process=process, author=UserFactory(commune=scene.a))
        supporter = UserFactory(commune=scene.a)
        Support.objects.create(contribution=contribution, user=supporter)
        commenter = UserFactory(commune=scene.b)
        Comment.objects.create(contribution=contribution, author=commenter, body="D'accord !")
        # The same person supporting and commenting is one participant.
        Support.objects.create(contribution=contribution, user=commenter)
        workshop = WorkshopFactory(process=process)
        present = UserFactory(commune=scene.c)
        RegistrationFactory(
            workshop=workshop, user=present, email=present.email, checked_in_at=timezone.now()
        )
        RegistrationFactory(workshop=workshop, user=UserFactory(commune=scene.c))  # absent
        RegistrationFactory(
            workshop=workshop, email="Sans.Compte@exemple.fr", checked_in_at=timezone.now()
        )
        other = WorkshopFactory(process=process)
        RegistrationFactory(
            workshop=other, email="sans.compte@exemple.fr", checked_in_at=timezone.now()
        )

        found = figures.representativeness(process=process, grouping=scene.grouping)

        # Authors u1 (Aubigny), u2 (Bellevue), u3 (no commune), the new author (Aubigny), the
        # supporter (Aubigny), the commenter (Bellevue), the person present (Champlain);
        # the facilitator only typed in what others said.
        assert found.accounts == 7
        assert found.walk_ins == 1  # one address, at two workshops
        assert found.participants == 8
        communes = rows_by_label(found.communes)
        assert [communes[n].participants for n in ("Aubigny", "Bellevue", "Champlain")] == [3, 2, 1]
        assert found.communes.known == 6
        assert found.communes.unknown == 2
        assert found.collected == 2

    def test_shares_and_index_by_commune_and_basin(self):
        scene = make_scene()

        found = figures.representativeness(process=scene.process, grouping=scene.grouping)

        communes = rows_by_label(found.communes)
        aubigny = communes["Aubigny"]
        # Participants with a known commune: u1 (Aubigny), u2 (Bellevue).
        assert aubigny.population_share == pytest.approx(0.6)
        assert aubigny.participant_share == pytest.approx(0.5)
        assert aubigny.index == pytest.approx(0.5 / 0.6)
        assert aubigny.level == "balanced"
        champlain = communes["Champlain"]
        assert champlain.participants == 0
        assert champlain.index == 0
        assert champlain.level == "under"
        # Contributions by the commune they speak for: Aubigny has c1 and the one in no topic.
        assert [communes[n].contributions for n in ("Aubigny", "Bellevue", "Champlain")] == [
            2,
            1,
            1,
        ]
        basins = rows_by_label(found.basins)
        assert basins["Nord"].population == 6000
        assert basins["Sud"].population == 4000
        assert basins["Sud"].participant_share == pytest.approx(0.5)
        assert basins["Sud"].index == pytest.approx(1.25)

    def test_no_warning_below_the_minimum_of_participants(self):
        scene = make_scene()

        found = figures.representativeness(process=scene.process, grouping=scene.grouping)

        assert found.communes.too_few
        assert found.warnings == []


@pytest.fixture
def crowd():
    """Thirty participants: 27 from the big commune, 3 from the middle one, none from the
    small one nor from the tiny one."""
    big = CommuneFactory(name="Grandville", population=6000)
    middle = CommuneFactory(name="Moyenbourg", population=3000)
    small = CommuneFactory(name="Petitbois", population=800)
    tiny = CommuneFactory(name="Hameau", population=200)
    territory = TerritoryFactory(communes=[big, middle, small, tiny])
    grouping = BasinGrouping.objects.create(territory=territory, name="Secteurs")
    west = Basin.objects.create(grouping=grouping, name="Saint-Martin-en-Bresse", position=0)
    east = Basin.objects.create(grouping=grouping, name="Val de Saône", position=1)
    BasinMembership.objects.create(grouping=grouping, basin=east, commune=big)
    for commune in (middle, small, tiny):
        BasinMembership.objects.create(grouping=grouping, basin=west, commune=commune)
    process = open_process(territory=territory)
    for index in range(30):
        author = UserFactory(
            commune=big if index < 27 else middle,
            age_band=AgeBand.FROM_60_TO_74
            if index < 20
            else (AgeBand.FROM_15_TO_29 if index < 22 else ""),
            gender=Gender.MAN if index < 24 else Gender.WOMAN,
        )
        ContributionFactory(process=process, author=author)
    return process, grouping


class TestWarnings:
    def test_under_represented_groups_are_named_in_plain_words(self, crowd):
        process, grouping = crowd

        found = figures.representativeness(process=process, grouping=grouping)

        communes = rows_by_label(found.communes)
        assert communes["Moyenbourg"].index == pytest.approx(0.1 / 0.3)
        assert communes["Grandville"].level == "balanced"
        assert found.communes.warnings == [
            "Les habitants de la commune « Moyenbourg » représentent 30 % de la population "
            "mais 10 % des participants : leur voix est sous-représentée (indice 0,33).",
            "Les habitants de la commune « Petitbois » représentent 8 % de la population "
            "mais 0 % des participants : leur voix est sous-représentée (indice 0,00).",
        ]  # the hamlet (2 % of the population) is too small to warn about
        assert found.basins.warnings == [
            "Les habitants du bassin « Saint-Martin-en-Bresse » représentent 40 % de la "
            "population mais 10 % des participants : leur voix est sous-représentée "
            "(indice 0,25)."
        ]

    def test_attributes_without_shares_are_shown_without_index(self, crowd):
        process, grouping = crowd

        found = figures.representativeness(process=process, grouping=grouping)

        ages = found.attributes[0]
        assert ages.key == "age_band"
        assert not ages.has_reference
        assert ages.known == 22
        assert ages.unknown == 8
        assert all(row.index is None for row in ages.rows)
        assert ages.warnings == []

    def test_attributes_against_the_shares_staff_entered(self, crowd):
        process, grouping = crowd
        reference_shares_set(
            process=process, attribute="gender", text="Femme ; 52\nHomme ; 48",
            source="INSEE 2021", by=None,
        )  # fmt: skip
        reference_shares_set(
            territory=process.territory, attribute="age_band",
            text="15-29 ; 20\n30-44 ; 22\n45-59 ; 24\n60-74 ; 22\n75+ ; 12", source="", by=None,
        )  # fmt: skip

        found = figures.representativeness(process=process, grouping=grouping)

        ages, genders = found.attributes
        women = rows_by_label(genders)["Femme"]
        assert women.participant_share == pytest.approx(0.2)
        assert women.index == pytest.approx(0.2 / 0.52)
        assert genders.source == "INSEE 2021"
        assert genders.warnings == [
            "Les femmes représentent 52 % de la population mais 20 % des participants qui ont "
            "indiqué leur genre : leur voix est sous-représentée (indice 0,38)."
        ]
        young = rows_by_label(ages)["15 à 29 ans"]
        assert young.participant_share == pytest.approx(2 / 22)
        assert "Les personnes de 15 à 29 ans représentent 20 % de la population" in ages.warnings[0]
        assert rows_by_label(ages)["60 à 74 ans"].level == "over"

    def test_the_process_shares_come_before_the_territory_ones(self, crowd):
        process, _grouping = crowd
        reference_shares_set(
            territory=process.territory,
            attribute="gender",
            text="F ; 50\nH ; 50",
            source="",
            by=None,
        )
        reference_shares_set(
            process=process, attribute="gender", text="F ; 60\nH ; 40", source="", by=None
        )

        shares = figures.reference_shares(process)

        assert [(r.value, r.share) for r in shares["gender"]] == [("woman", 60), ("man", 40)]
        other = open_process(territory=process.territory)
        assert [r.share for r in figures.reference_shares(other)["gender"]] == [50, 50]


class TestReferenceShares:
    @pytest.mark.parametrize(
        ("attribute", "typed", "value"),
        [
            ("gender", "Femme", "woman"),
            ("gender", " femmes ", "woman"),
            ("gender", "H", "man"),
            ("gender", "woman", "woman"),
            ("age_band", "15 à 29 ans", "15_29"),
            ("age_band", "15-29", "15_29"),
            ("age_band", "75 ans ou plus", "75_plus"),
            ("age_band", "75+", "75_plus"),
            ("age_band", "20-35", None),
            ("gender", "chat", None),
        ],
    )
    def test_values_are_recognised_as_people_write_them(self, attribute, typed, value):
        assert value_for(attribute, typed) == value

    def test_every_faulty_line_is_reported(self):
        with pytest.raises(ValidationError) as raised:
            reference_shares_parse(
                attribute="age_band",
                text=(
                    "15-29 ; 20\n20-35 ; 10\n30-44 ; beaucoup\n45-59 22\n\n"
                    "15 à 29 ans ; 5\n60-74 ; 120"
                ),
            )

        messages = raised.value.message_dict["shares"]
        assert messages == [
            "Ligne 2 : « 20-35 » n’est pas une des valeurs demandées (« 15 à 29 ans », "
            "« 30 à 44 ans », « 45 à 59 ans », « 60 à 74 ans », « 75 ans ou plus »).",
            "Ligne 3 : « beaucoup » n’est pas une part entre 0 et 100.",
            "Ligne 4 : écrivez la valeur, un point-virgule, puis la part (« Femme ; 52 »).",
            "Ligne 6 : « 15 à 29 ans » est déjà donnée à la ligne 1.",
            "Ligne 7 : « 120 » n’est pas une part entre 0 et 100.",
        ]

    def test_shares_must_add_up_to_100_give_or_take_one(self):
        assert len(reference_shares_parse(attribute="gender", text="F ; 51,4 %\nH ; 47,9")) == 2
        with pytest.raises(ValidationError, match="97,5"):
            reference_shares_parse(attribute="gender", text="F ; 50\nH ; 47,5")

    def test_nothing_is_written_on_error_and_the_old_shares_stay(self):
        process = open_process()
        reference_shares_set(
            process=process, attribute="gender", text="F;52\nH;48", source="", by=None
        )

        with pytest.raises(ValidationError):
            reference_shares_set(
                process=process, attribute="gender", text="F ; 70\nchat ; 30", source="", by=None
            )

        assert sorted(ReferenceShare.objects.values_list("value", "share")) == [
            ("man", 48), ("woman", 52),
        ]  # fmt: skip

    def test_saved_shares_are_shown_back_as_lines(self):
        process = open_process()
        rows = reference_shares_set(
            process=process, attribute="gender", text="F ; 51,5\nH ; 48,5", source="", by=None
        )

        assert reference_shares_text(rows) == "Femme ; 51,5\nHomme ; 48,5"


def test_registrations_without_presence_are_not_participants():
    process = open_process()
    RegistrationFactory(
        workshop=WorkshopFactory(process=process), status=Registration.Status.CONFIRMED
    )

    assert figures.representativeness(process=process).participants == 0


def test_people_who_answered_an_opinion_map_are_participants():
    from fabrique.synthesis.services import opinion

    from .test_opinion_activity_factories import opinion_activity

    activity = opinion_activity()
    voter = UserFactory()
    for statement in activity.statements.all():
        opinion.statement_vote(statement=statement, voter=voter, value=1)
    elsewhere = opinion_activity()  # another process's map: its voters do not count here
    opinion.statement_vote(statement=elsewhere.statements.first(), voter=UserFactory(), value=1)

    found = figures.representativeness(process=activity.process)
    assert found.participants == 1
    assert found.by_way["answered"] == 1

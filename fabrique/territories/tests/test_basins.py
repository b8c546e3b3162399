"""Life basins: groups of a territory's communes, by hand or from a CSV file."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from fabrique.territories.models import Basin, BasinMembership
from fabrique.territories.selectors import grouping_figures
from fabrique.territories.services import basin_save, basins_import_csv, grouping_create
from fabrique.territories.tests.factories import CommuneFactory, GroupingFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages are asserted in the language they are written in."""
    with translation.override("en"):
        yield


@pytest.fixture
def grouping():
    communes = [
        CommuneFactory(insee_code="71001", name="Alpha", population=600),
        CommuneFactory(insee_code="71002", name="Bêta", population=300),
        CommuneFactory(insee_code="71003", name="Gamma", population=100),
        CommuneFactory(insee_code="01004", name="Delta", population=0),
    ]
    territory = TerritoryFactory(communes=communes)
    return GroupingFactory(territory=territory)


def _communes(grouping, *codes):
    return list(grouping.territory.communes.filter(insee_code__in=codes))


def test_basin_population_and_share_are_computed_from_its_communes(grouping) -> None:
    basin_save(grouping=grouping, name="Nord", communes=_communes(grouping, "71001", "71002"))
    basin_save(grouping=grouping, name="Sud", communes=_communes(grouping, "71003"))

    figures = grouping_figures(grouping)

    assert figures.territory_population == 1000
    by_name = {b.name: b for b in figures.basins}
    assert (by_name["Nord"].commune_count, by_name["Nord"].population) == (2, 900)
    assert by_name["Nord"].share == pytest.approx(0.9)
    assert by_name["Sud"].share == pytest.approx(0.1)
    assert [c.name for c in figures.unassigned] == ["Delta"]


def test_a_commune_cannot_be_in_two_basins_of_the_same_grouping(grouping) -> None:
    basin_save(grouping=grouping, name="Nord", communes=_communes(grouping, "71001"))

    with pytest.raises(ValidationError) as error:
        basin_save(grouping=grouping, name="Sud", communes=_communes(grouping, "71001", "71003"))

    assert "Alpha (Nord)" in str(error.value)
    assert not Basin.objects.filter(name="Sud").exists()


def test_the_database_also_refuses_a_commune_in_two_basins(grouping) -> None:
    north = basin_save(grouping=grouping, name="Nord", communes=_communes(grouping, "71001"))
    south = basin_save(grouping=grouping, name="Sud", communes=[])
    commune = north.memberships.get().commune

    with pytest.raises(IntegrityError), transaction.atomic():
        BasinMembership.objects.create(grouping=grouping, basin=south, commune=commune)


def test_the_same_commune_can_be_in_basins_of_two_groupings(grouping) -> None:
    other = grouping_create(territory=grouping.territory, name="Secteurs")
    alpha = _communes(grouping, "71001")

    basin_save(grouping=grouping, name="Nord", communes=alpha)
    basin_save(grouping=other, name="Secteur 1", communes=alpha)

    assert BasinMembership.objects.filter(commune=alpha[0]).count() == 2


def test_a_commune_outside_the_territory_is_refused(grouping) -> None:
    outsider = CommuneFactory(insee_code="75056", name="Paris")

    with pytest.raises(ValidationError, match="Paris"):
        basin_save(grouping=grouping, name="Nord", communes=[outsider])
    assert not Basin.objects.exists()


def test_editing_a_basin_replaces_its_communes(grouping) -> None:
    basin = basin_save(grouping=grouping, name="Nord", communes=_communes(grouping, "71001"))

    basin_save(
        grouping=grouping, name="Nord-Est", communes=_communes(grouping, "71002"), basin=basin
    )

    basin.refresh_from_db()
    assert basin.name == "Nord-Est"
    assert [m.commune.insee_code for m in basin.memberships.all()] == ["71002"]


CSV_OK = "code_insee;bassin;note\n71001;Nord;\n71002;Nord;hypothèse\n1004;Sud;\n"


def test_csv_import_creates_the_basins_with_notes(grouping) -> None:
    report = basins_import_csv(grouping=grouping, content=CSV_OK.encode())

    assert report.ok, report.errors
    assert (report.basin_count, report.commune_count) == (2, 3)
    north = grouping.basins.get(name="Nord")
    assert north.memberships.get(commune__insee_code="71002").note == "hypothèse"
    # A leading zero dropped by a spreadsheet is restored.
    assert grouping.basins.get(name="Sud").memberships.get().commune.name == "Delta"


def test_csv_import_accepts_commas_without_header_and_windows_encoding(grouping) -> None:
    content = "71001,Bassin côté Saône\r\n71003,Bassin côté Saône\r\n".encode("cp1252")

    report = basins_import_csv(grouping=grouping, content=content)

    assert report.ok, report.errors
    assert grouping.basins.get().name == "Bassin côté Saône"


def test_csv_import_replaces_the_previous_grouping(grouping) -> None:
    basin_save(grouping=grouping, name="Ancien", communes=_communes(grouping, "71003"))

    basins_import_csv(grouping=grouping, content=CSV_OK)

    assert sorted(grouping.basins.values_list("name", flat=True)) == ["Nord", "Sud"]
    assert not BasinMembership.objects.filter(commune__insee_code="71003").exists()


def test_csv_import_reports_every_faulty_line_and_writes_nothing(grouping) -> None:
    CommuneFactory(insee_code="75056", name="Paris")
    basin_save(grouping=grouping, name="Existant", communes=_communes(grouping, "71003"))
    content = (
        "code;bassin\n"
        "71001;Nord\n"
        "75056;Nord\n"  # a commune of another territory
        "99999;Nord\n"  # no such commune
        "abc;Nord\n"  # not a code
        "71002;\n"  # no basin
        "71001;Sud\n"  # placed twice
        "71003\n"  # one column
    )

    report = basins_import_csv(grouping=grouping, content=content)

    assert not report.ok
    assert [e.split(":")[0] for e in report.errors] == [
        "Line 3",
        "Line 4",
        "Line 5",
        "Line 6",
        "Line 7",
        "Line 8",
    ]
    assert "Paris" in report.errors[0]
    assert "99999" in report.errors[1]
    assert "line 2" in report.errors[4]
    assert list(grouping.basins.values_list("name", flat=True)) == ["Existant"]
    assert BasinMembership.objects.count() == 1


def test_an_empty_csv_is_refused(grouping) -> None:
    report = basins_import_csv(grouping=grouping, content="code;bassin\n")

    assert report.errors == ["The file contains no line to import."]


def test_csv_with_a_byte_unknown_to_windows_encoding_is_reported_not_crashing(grouping) -> None:
    report = basins_import_csv(grouping=grouping, content=b"71001;Nord\n7100\x81;Sud\n")

    assert not report.ok
    assert report.errors[0].startswith("Line 2")


def test_a_mistyped_first_code_is_reported_not_taken_for_a_header(grouping) -> None:
    report = basins_import_csv(grouping=grouping, content="71O01;Nord\n71002;Nord\n")

    assert [e.split(":")[0] for e in report.errors] == ["Line 1"]


def test_basin_names_differing_only_by_case_or_spaces_are_one_basin(grouping) -> None:
    report = basins_import_csv(grouping=grouping, content="71001;Nord\n71002; nord \n")

    assert report.ok, report.errors
    assert list(grouping.basins.values_list("name", flat=True)) == ["Nord"]


def test_an_overlong_basin_name_is_reported(grouping) -> None:
    report = basins_import_csv(grouping=grouping, content=f"71001;{'x' * 121}\n")

    assert "longer than 120" in report.errors[0]

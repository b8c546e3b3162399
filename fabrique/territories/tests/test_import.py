"""Importing territories from the official data shipped with the platform."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from fabrique.territories.models import BasinMembership, Commune, Territory
from fabrique.territories.official_data import official_data
from fabrique.territories.services import TerritoryImportError, territory_import
from fabrique.territories.tests.factories import GroupingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages are asserted in the language they are written in."""
    with translation.override("en"):
        yield


GRAND_CHALON = "247100589"
ORLEANS = "244500468"


def _expected_population(siren: str) -> int:
    data = official_data()
    return sum(data.communes[code].population for code in data.epcis[siren].member_codes)


def test_grand_chalon_is_imported_with_its_51_communes() -> None:
    result = territory_import(code=GRAND_CHALON)

    territory = result.territory
    assert territory.name == "CA Le Grand Chalon"
    assert territory.kind == Territory.Kind.EPCI
    assert territory.legal_form == "CA"
    assert territory.communes.count() == 51 == result.commune_count
    chalon = territory.communes.get(insee_code="71076")
    assert chalon.name == "Chalon-sur-Saône"
    assert chalon.population > 40000
    assert territory.population == result.population == _expected_population(GRAND_CHALON)
    assert 100_000 < territory.population < 130_000


def test_orleans_metropole_is_imported_with_its_22_communes() -> None:
    result = territory_import(code=ORLEANS)

    assert result.territory.name == "Orléans Métropole"
    assert result.territory.legal_form == "METRO"
    assert result.commune_count == 22
    assert result.population == _expected_population(ORLEANS)
    assert result.territory.communes.filter(insee_code="45234", name="Orléans").exists()


def test_a_single_commune_can_be_a_territory_by_insee_code_or_siren() -> None:
    by_code = territory_import(code="73065")
    by_siren = territory_import(code="217300656")

    assert by_code.territory == by_siren.territory
    assert by_code.territory.kind == Territory.Kind.COMMUNE
    assert list(by_code.territory.communes.values_list("name", flat=True)) == ["Chambéry"]


def test_reimport_updates_without_duplicating() -> None:
    first = territory_import(code=GRAND_CHALON)
    Commune.objects.filter(insee_code="71076").update(population=1, name="Ancien nom")
    Territory.objects.filter(pk=first.territory.pk).update(name="Ancien nom du territoire")

    second = territory_import(code=GRAND_CHALON)

    assert second.created is False
    assert second.territory.pk == first.territory.pk
    assert Territory.objects.count() == 1
    assert Commune.objects.count() == 51
    assert second.territory.name == "CA Le Grand Chalon"
    assert Commune.objects.get(insee_code="71076").name == "Chalon-sur-Saône"
    assert second.population == first.population


def test_reimport_drops_communes_that_left_and_their_basin_membership() -> None:
    territory = territory_import(code=GRAND_CHALON).territory
    stranger = Commune.objects.create(insee_code="01001", name="Intruse", population=10)
    territory.communes.add(stranger)
    grouping = GroupingFactory(territory=territory)
    basin = grouping.basins.create(name="Bassin")
    BasinMembership.objects.create(grouping=grouping, basin=basin, commune=stranger)

    territory_import(code=GRAND_CHALON)

    assert territory.communes.count() == 51
    assert not BasinMembership.objects.filter(commune=stranger).exists()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("123456789", "123456789"),
        ("99999", "99999"),
        ("abc", "abc"),
        ("24710058", "24710058"),
        ("", "SIREN"),
    ],
)
def test_unknown_or_malformed_code_is_refused_and_writes_nothing(code: str, message: str) -> None:
    with pytest.raises(TerritoryImportError) as error:
        territory_import(code=code)

    assert message in str(error.value)
    assert Territory.objects.count() == 0
    assert Commune.objects.count() == 0


def test_missing_official_data_gives_a_clear_error(settings, tmp_path) -> None:
    settings.OFFICIAL_DATA_DIR = tmp_path

    with pytest.raises(TerritoryImportError, match="make run"):
        territory_import(code=GRAND_CHALON)


def test_member_unknown_to_the_commune_file_aborts_the_import(settings, tmp_path) -> None:
    (tmp_path / "communes.json").write_text(
        json.dumps([{"code": "71076", "nom": "Chalon-sur-Saône", "type": "commune-actuelle"}])
    )
    (tmp_path / "epci.json").write_text(
        json.dumps(
            [
                {
                    "code": "200000001",
                    "nom": "CC Test",
                    "type": "CC",
                    "membres": [{"code": "71076"}, {"code": "71999"}],
                }
            ]
        )
    )
    settings.OFFICIAL_DATA_DIR = tmp_path

    with pytest.raises(TerritoryImportError, match="71999"):
        territory_import(code="200000001")
    assert Territory.objects.count() == 0


def test_command_prints_one_line_with_name_communes_and_population(capsys) -> None:
    call_command("import_territory", GRAND_CHALON)

    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    population = f"{_expected_population(GRAND_CHALON):,}".replace(",", "\u202f")
    assert "CA Le Grand Chalon" in lines[0]
    assert "51" in lines[0]
    assert population in lines[0]


def test_command_fails_with_the_reason_on_unknown_siren() -> None:
    with pytest.raises(CommandError, match="123456789"):
        call_command("import_territory", "123456789")
    assert Territory.objects.count() == 0

"""A commune from what a person typed or a spreadsheet holds, shared by forms and imports."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from fabrique.territories.forms import CommuneField
from fabrique.territories.selectors import find_commune
from fabrique.territories.tests.factories import CommuneFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def territory():
    return TerritoryFactory(
        name="Pays de Bresse",
        communes=[
            CommuneFactory(insee_code="01053", name="Bourg-en-Bresse"),
            CommuneFactory(insee_code="71475", name="Saint-Rémy"),
            CommuneFactory(insee_code="2A004", name="Ajaccio"),
            CommuneFactory(insee_code="90001", name="Sainte-Croix"),
            CommuneFactory(insee_code="90002", name="Sainte-Croix"),
        ],
    )


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Saint-Rémy", "71475"),
        ("  saint remy ", "71475"),
        ("SAINT-REMY", "71475"),
        ("Bourg en Bresse", "01053"),
        ("01053", "01053"),
        ("1053", "01053"),  # a spreadsheet dropped the leading zero
        ("Bourg-en-Bresse (01053)", "01053"),
        ("2a004", "2A004"),
        ("Sainte-Croix (90002)", "90002"),
    ],
)
def test_a_commune_is_found_by_its_name_or_code_whatever_the_spelling(
    territory, text, code
) -> None:
    assert find_commune(territory.communes.all(), text).insee_code == code
    assert find_commune(list(territory.communes.all()), text).insee_code == code


def test_an_unknown_or_ambiguous_name_is_refused_with_its_reason(territory) -> None:
    communes = territory.communes.all()

    with pytest.raises(ValidationError) as unknown:
        find_commune(communes, "Mâcon", territory_name=territory.name)
    with pytest.raises(ValidationError) as ambiguous:
        find_commune(communes, "sainte croix")
    with pytest.raises(ValidationError) as outside:
        find_commune(communes, "99999", territory_name=territory.name)

    assert unknown.value.code == "unknown"
    with translation.override("en"):
        assert unknown.value.messages == [
            "“Mâcon” is not a commune of Pays de Bresse. Pick one from the list."
        ]
    assert ambiguous.value.code == "ambiguous"
    assert outside.value.code == "unknown"


def test_messages_can_be_worded_for_where_the_commune_comes_from(territory) -> None:
    with pytest.raises(ValidationError) as caught:
        find_commune(
            territory.communes.all(),
            "Mâcon",
            territory_name="X",
            messages={"unknown": "%(value)s ∉ %(territory)s", "ambiguous": ""},
        )

    assert caught.value.messages == ["Mâcon ∉ X"]


def test_the_form_field_finds_communes_the_same_way(territory) -> None:
    field = CommuneField(required=False)
    field.set_territory(territory)

    assert field.clean("1053").insee_code == "01053"
    assert field.clean("") is None
    with pytest.raises(ValidationError) as caught:
        field.clean("Mâcon")
    with translation.override("en"):
        assert caught.value.messages == [
            "“Mâcon” is not a commune of Pays de Bresse. Pick one from the list."
        ]

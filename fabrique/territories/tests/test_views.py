"""Public territory pages, legal pages and the back-office screens of territories."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fabrique.accounts.models import Role
from fabrique.accounts.tests.factories import RoleFactory, UserFactory
from fabrique.territories.models import Basin, LegalPage, Territory
from fabrique.territories.services import basin_save
from fabrique.territories.tests.factories import CommuneFactory, GroupingFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def territory():
    return TerritoryFactory(
        name="CC du Val",
        communes=[
            CommuneFactory(insee_code="71001", name="Alpha", population=750),
            CommuneFactory(insee_code="71002", name="Bêta", population=250),
        ],
    )


@pytest.fixture
def manager(client, territory):
    user = UserFactory()
    RoleFactory(user=user, territory=territory, role=Role.TERRITORY_ADMIN)
    client.force_login(user)
    return user


def test_header_shows_the_territory_and_footer_the_legal_pages(client, territory) -> None:
    page = client.get(reverse("home")).content.decode()

    assert "CC du Val" in page
    for kind in LegalPage.Kind.values:
        assert reverse("legal_page", args=[kind]) in page


def test_the_territory_served_depends_on_the_host(client, territory, settings) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    TerritoryFactory(name="Ville de Test", domain="participer.ville-test.fr")

    page = client.get(reverse("home"), HTTP_HOST="participer.ville-test.fr").content.decode()

    assert "Ville de Test" in page


def test_public_territory_page_shows_basins_with_population_share(client, territory) -> None:
    grouping = GroupingFactory(territory=territory)
    basin_save(
        grouping=grouping, name="Bassin Alpha", communes=territory.communes.filter(name="Alpha")
    )

    response = client.get(territory.get_absolute_url())

    page = response.content.decode()
    assert "Bassin Alpha" in page
    assert "75 %" in page
    assert "Bêta" in page


def test_legal_page_shows_a_default_text_until_staff_write_one(client, territory) -> None:
    response = client.get(reverse("legal_page", args=["accessibilite"]))

    assert response.status_code == 200
    assert "RGAA" in response.content.decode()


def test_unknown_legal_page_is_not_found(client, territory) -> None:
    assert client.get(reverse("legal_page", args=["nope"])).status_code == 404


def test_staff_edit_a_legal_page_and_scripts_are_removed(client, manager, territory) -> None:
    url = reverse("territories:legal_page_edit", args=[territory.slug, "mentions-legales"])
    body = (
        "Éditeur : CC du Val.\n\n"
        "<script>alert(1)</script><a href='javascript:x()' onclick='y()'>lien</a>"
    )

    client.post(url, {"body": body})

    stored = LegalPage.objects.get(territory=territory, kind="mentions-legales").body
    assert "<script" not in stored
    assert "javascript:" not in stored
    assert "onclick" not in stored
    assert "<p>Éditeur : CC du Val.</p>" in stored
    public = client.get(reverse("legal_page", args=["mentions-legales"])).content.decode()
    assert "Éditeur : CC du Val." in public


def test_platform_admin_imports_a_territory_from_the_back_office(client) -> None:
    admin = UserFactory()
    RoleFactory(user=admin, role=Role.PLATFORM_ADMIN, territory=None)
    client.force_login(admin)

    response = client.post(reverse("territories:import"), {"code": "244500468"})

    territory = Territory.objects.get(official_code="244500468")
    assert response.status_code == 302
    assert territory.communes.count() == 22


def test_back_office_import_of_an_unknown_code_keeps_it_and_says_why(client) -> None:
    admin = UserFactory()
    RoleFactory(user=admin, role=Role.PLATFORM_ADMIN, territory=None)
    client.force_login(admin)

    response = client.post(reverse("territories:import"), {"code": "123456789"})

    assert response.status_code == 200
    assert 'value="123456789"' in response.content.decode()
    assert "123456789" in str(response.context["form"].errors["code"])
    assert not Territory.objects.exists()


def test_basin_form_refuses_a_commune_of_another_basin_and_keeps_the_input(
    client, manager, territory
) -> None:
    grouping = GroupingFactory(territory=territory)
    alpha = territory.communes.get(name="Alpha")
    basin_save(grouping=grouping, name="Premier", communes=[alpha])
    url = reverse("territories:basin_create", args=[territory.slug, grouping.pk])

    response = client.post(url, {"name": "Second", "communes": [alpha.pk]})

    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Second"' in page
    assert "Alpha (Premier)" in page
    assert not Basin.objects.filter(name="Second").exists()


def test_basin_csv_upload_reports_faulty_lines(client, manager, territory) -> None:
    grouping = GroupingFactory(territory=territory)
    url = reverse("territories:basin_import", args=[territory.slug, grouping.pk])
    upload = SimpleUploadedFile("bassins.csv", b"code;bassin\n71001;Nord\n99999;Sud\n")

    response = client.post(url, {"file": upload})

    assert response.status_code == 200
    assert "99999" in response.content.decode()
    assert not grouping.basins.exists()


def test_basin_csv_upload_places_the_communes(client, manager, territory) -> None:
    grouping = GroupingFactory(territory=territory)
    url = reverse("territories:basin_import", args=[territory.slug, grouping.pk])
    upload = SimpleUploadedFile("bassins.csv", b"71001;Nord\n71002;Sud\n")

    response = client.post(url, {"file": upload})

    assert response.status_code == 302
    assert sorted(grouping.basins.values_list("name", flat=True)) == ["Nord", "Sud"]


def test_staff_choose_a_readable_colour_for_their_site(client, manager, territory) -> None:
    url = reverse("territories:appearance", args=[territory.slug])

    refused = client.post(url, {"primary_color": "#ffdd00"})
    accepted = client.post(url, {"primary_color": "#7A1F3D"})

    assert refused.status_code == 200
    assert refused.context["form"].errors["primary_color"]
    assert accepted.status_code == 302
    territory.refresh_from_db()
    assert territory.primary_color == "#7a1f3d"
    assert "--primary: #7a1f3d" in client.get(reverse("home")).content.decode()


def test_contrast_ratio_follows_wcag() -> None:
    from fabrique.territories.services import contrast_with_white

    assert contrast_with_white("#000000") == pytest.approx(21.0)
    assert contrast_with_white("#ffffff") == pytest.approx(1.0)
    assert contrast_with_white("#767676") == pytest.approx(4.54, abs=0.01)

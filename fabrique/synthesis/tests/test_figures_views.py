"""The figures pages for staff: who may see them, what they show, the CSV, the shares form."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from fabrique.accounts.models import Role
from fabrique.accounts.tests.factories import RoleFactory, UserFactory
from fabrique.participation.tests.factories import open_process
from fabrique.synthesis.models import ReferenceShare
from fabrique.synthesis.tests.test_figures import make_scene
from fabrique.territories.tests.factories import TerritoryFactory

pytestmark = pytest.mark.django_db


def admin_of(territory):
    return RoleFactory(role=Role.TERRITORY_ADMIN, territory=territory).user


def urls(process) -> list[str]:
    args = [process.territory.slug, process.slug]
    return [
        reverse("synthesis:bo_who_says_what", args=args),
        reverse("synthesis:bo_who_says_what_csv", args=args),
        reverse("synthesis:bo_representativeness", args=args),
    ]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("participant", 403),
        ("moderator", 403),
        ("facilitator", 403),
        ("other_admin", 403),
        ("admin", 200),
    ],
)
def test_only_the_territory_admins_see_the_figures(client, who, expected):
    scene = make_scene()
    territory = scene.territory
    users = {
        "participant": lambda: UserFactory(),
        "moderator": lambda: RoleFactory(role=Role.MODERATOR, territory=territory).user,
        "facilitator": lambda: RoleFactory(role=Role.FACILITATOR, territory=territory).user,
        "other_admin": lambda: admin_of(TerritoryFactory()),
        "admin": lambda: admin_of(territory),
    }
    if who != "anonymous":
        client.force_login(users[who]())

    for url in urls(scene.process):
        response = client.get(url)
        assert response.status_code == expected, url
        if expected == 302:
            assert response["Location"].startswith(reverse("account_login"))

    response = client.post(
        reverse(
            "synthesis:bo_representativeness", args=[territory.slug, scene.process.slug]
        ),
        {"form": "gender", "gender-attribute": "gender", "gender-shares": "F;50\nH;50",
         "gender-scope": "process"},
    )  # fmt: skip
    assert response.status_code == (302 if who in ("anonymous", "admin") else 403)
    assert ReferenceShare.objects.exists() == (who == "admin")


@pytest.fixture
def admin_client(client):
    scene = make_scene()
    client.force_login(admin_of(scene.territory))
    return client, scene


class TestWhoSaysWhatPage:
    def test_shows_the_latest_version_by_commune(self, admin_client):
        client, scene = admin_client

        response = client.get(urls(scene.process)[0])

        page = response.content.decode()
        assert response.context["version"] == scene.synthesis
        assert response.context["table"].dimension == "commune"
        assert "Aubigny" in page
        assert "Vélo" in page
        assert "heat-5" in page
        assert 'role="img"' in page

    def test_by_basin_and_a_wrong_choice_is_explained(self, admin_client):
        client, scene = admin_client
        url = urls(scene.process)[0]

        by_basin = client.get(url, {"dimension": "basin", "grouping": scene.grouping.pk})
        wrong = client.get(url, {"version": "99", "dimension": "nothing"})

        assert [c.label for c in by_basin.context["table"].columns][:2] == ["Nord", "Sud"]
        assert wrong.status_code == 200
        assert wrong.context["form"].errors
        assert wrong.context["table"].dimension == "commune"

    def test_explains_how_to_get_a_version_when_there_is_none(self, client):
        process = open_process()
        client.force_login(admin_of(process.territory))

        response = client.get(urls(process)[0])

        page = response.content.decode()
        assert response.status_code == 200
        assert reverse("synthesis:bo_list", args=[process.territory.slug, process.slug]) in page

    def test_the_csv_holds_the_table(self, admin_client):
        client, scene = admin_client

        response = client.get(urls(scene.process)[1], {"dimension": "channel"})

        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        text = response.content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert rows[1] == ["Vélo", "3", "9", "0", "0", "0", "0", "3", "9"]
        assert rows[-1][0] == "Total"


class TestRepresentativenessPage:
    def test_shows_basins_communes_and_attributes(self, admin_client):
        client, scene = admin_client

        response = client.get(urls(scene.process)[2])

        page = response.content.decode()
        assert response.status_code == 200
        assert "Nord" in page
        assert "Champlain" in page
        assert "Genre" in page
        assert "representativeness-points" not in page  # no contribution placed on a map
        assert response.context["found"].participants == 3

    def test_entering_shares_with_a_mistake_keeps_what_was_typed(self, admin_client):
        client, scene = admin_client

        response = client.post(
            urls(scene.process)[2],
            {"form": "gender", "gender-attribute": "gender",
             "gender-shares": "Femme ; 52\nChat ; 48",
             "gender-source": "INSEE", "gender-scope": "territory"},
        )  # fmt: skip

        assert response.status_code == 200
        page = response.content.decode()
        assert "Ligne 2 : « Chat »" in page
        assert "Chat ; 48" in page
        assert not ReferenceShare.objects.exists()

    def test_entering_and_removing_shares(self, admin_client):
        client, scene = admin_client
        url = urls(scene.process)[2]

        response = client.post(
            url,
            {"form": "gender", "gender-attribute": "gender",
             "gender-shares": "Femme ; 52\nHomme ; 48",
             "gender-source": "INSEE", "gender-scope": "territory"},
        )  # fmt: skip

        assert response.status_code == 302
        assert ReferenceShare.objects.filter(territory=scene.territory).count() == 2
        page = client.get(url).content.decode()
        assert "Source des parts : INSEE." in page
        client.post(
            reverse(
                "synthesis:bo_reference_shares_clear",
                args=[scene.territory.slug, scene.process.slug],
            ),
            {"attribute": "gender"},
        )
        assert not ReferenceShare.objects.exists()

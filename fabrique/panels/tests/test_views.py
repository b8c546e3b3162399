from __future__ import annotations

import pytest
from django.urls import reverse

from fabrique.accounts.models import Role
from fabrique.accounts.tests.factories import RoleFactory, UserFactory
from fabrique.panels import services
from fabrique.panels.models import CategoryValue, Draw, Volunteer
from fabrique.panels.tests.factories import add_volunteers, make_panel

pytestmark = pytest.mark.django_db

POOL = [("Femme", "16-34"), ("Femme", "35+"), ("Homme", "35+"), ("Homme", "35+"),
        ("Femme", "35+"), ("Homme", "16-34")]  # fmt: skip


@pytest.fixture
def panel():
    return make_panel(size=4)


def _bo(name, panel, *args):
    process = panel.process
    return reverse(f"panels:{name}", args=[process.territory.slug, process.slug, panel.slug, *args])


def _as(client, panel, role=None):
    user = UserFactory()
    if role:
        RoleFactory(user=user, role=role, territory=panel.process.territory)
    client.force_login(user)
    return user


BACKOFFICE_PAGES = ["bo_panel", "bo_quotas", "bo_pool", "bo_draw"]


@pytest.mark.parametrize("page", BACKOFFICE_PAGES)
@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 403), (Role.MODERATOR, 403), (Role.FACILITATOR, 403), (Role.BODY_MEMBER, 403),
     (Role.TERRITORY_ADMIN, 200)],
)  # fmt: skip
def test_only_the_territorys_staff_run_panels(client, panel, page, role, status) -> None:
    _as(client, panel, role)

    assert client.get(_bo(page, panel)).status_code == status


def test_visitors_are_sent_to_log_in(client, panel) -> None:
    response = client.get(_bo("bo_panel", panel))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_staff_of_another_territory_cannot_touch_a_panel(client, panel) -> None:
    from fabrique.territories.tests.factories import TerritoryFactory

    user = UserFactory()
    RoleFactory(user=user, role=Role.TERRITORY_ADMIN, territory=TerritoryFactory())
    client.force_login(user)

    assert client.get(_bo("bo_quotas", panel)).status_code == 403
    response = client.post(_bo("bo_draw", panel), {"seed": "1", "confirm": "on"})
    assert response.status_code == 403
    assert not panel.draws.exists()


def test_staff_create_a_panel_then_add_a_category(client) -> None:
    from fabrique.panels.tests.factories import panel_process

    process = panel_process()
    user = UserFactory()
    RoleFactory(user=user, role=Role.TERRITORY_ADMIN, territory=process.territory)
    client.force_login(user)
    url = reverse("panels:bo_list", args=[process.territory.slug, process.slug])

    response = client.post(url, {"title": "Panel 2030", "size": "20", "tolerance": "1"})
    panel = process.panels.get()
    assert response["Location"] == _bo("bo_quotas", panel)
    response = client.post(
        _bo("bo_quotas", panel),
        {"form": "category", "kind": "gender", "label": "Genre", "why_asked": "Parité",
         "values": "Femme ; 52\nHomme ; 48"},
    )  # fmt: skip
    assert response.status_code == 302
    assert {(v.label, v.min_count, v.max_count) for v in CategoryValue.objects.all()} == {
        ("Femme", 9, 12),
        ("Homme", 8, 11),
    }


def test_a_faulty_category_keeps_what_was_typed(client, panel) -> None:
    _as(client, panel, Role.TERRITORY_ADMIN)

    response = client.post(
        _bo("bo_quotas", panel),
        {"form": "category", "kind": "education", "label": "Diplôme", "why_asked": "Diversité",
         "values": "Bac ; 40\nSans diplôme ; beaucoup"},
    )  # fmt: skip

    page = response.content.decode()
    assert response.status_code == 200
    assert "Sans diplôme ; beaucoup" in page
    assert 'value="Diplôme"' in page
    assert not panel.categories.filter(label="Diplôme").exists()


def test_quotas_are_adjusted_all_or_nothing(client, panel) -> None:
    _as(client, panel, Role.TERRITORY_ADMIN)
    woman = CategoryValue.objects.get(category__panel=panel, label="Femme")
    man = CategoryValue.objects.get(category__panel=panel, label="Homme")
    young = CategoryValue.objects.get(category__panel=panel, label="16-34")
    data = {"form": "quotas"}
    for value in CategoryValue.objects.filter(category__panel=panel):
        data[f"min-{value.pk}"], data[f"max-{value.pk}"] = value.min_count, value.max_count

    faulty = {f"min-{woman.pk}": 1, f"min-{man.pk}": 3, f"max-{man.pk}": 2}
    bad = client.post(_bo("bo_quotas", panel), {**data, **faulty})
    assert bad.status_code == 200
    assert "above the maximum" in bad.content.decode() or "au-dessus" in bad.content.decode()
    woman.refresh_from_db()
    assert woman.min_count == 2  # nothing saved

    good = client.post(_bo("bo_quotas", panel), {**data, f"min-{young.pk}": 0})
    assert good.status_code == 302
    young.refresh_from_db()
    assert (young.min_count, young.adjusted) == (0, True)


def test_the_draw_page_explains_why_no_panel_is_possible(client, panel) -> None:
    add_volunteers(panel, [("Homme", "35+")] * 5)
    _as(client, panel, Role.TERRITORY_ADMIN)

    page = client.get(_bo("bo_draw", panel)).content.decode()

    assert "Femme" in page
    assert 'name="seed"' not in page  # no seed can be published


def test_publishing_the_seed_needs_the_confirmation_and_happens_once(client, panel) -> None:
    add_volunteers(panel, POOL)
    _as(client, panel, Role.TERRITORY_ADMIN)

    unconfirmed = client.post(_bo("bo_draw", panel), {"seed": "07 12 33"})
    assert unconfirmed.status_code == 200
    assert not panel.draws.exists()
    client.post(_bo("bo_draw", panel), {"seed": "07 12 33", "confirm": "on", "form": "initial"})
    again = client.post(_bo("bo_draw", panel), {"seed": "autre", "confirm": "on"})

    assert panel.draws.get().seed == "07 12 33"
    assert again.status_code == 200


def test_sign_up_keeps_what_was_typed_and_says_what_is_wrong(client, panel) -> None:
    url = reverse("panels:signup", args=[panel.process.slug, panel.slug])

    response = client.post(url, {"first_name": "Zoé", "last_name": "", "email": "zoe@ex.org"})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Zoé"' in page
    assert page.count('class="errorlist') >= 3  # last name, the two questions, consent
    assert not Volunteer.objects.exists()


def test_sign_up_then_confirmation_by_the_e_mail_link(client, panel, mailoutbox) -> None:
    genre, age = panel.categories.all()
    url = reverse("panels:signup", args=[panel.process.slug, panel.slug])

    response = client.post(
        url,
        {"first_name": "Zoé", "last_name": "Martin", "email": "zoe@ex.org",
         f"category-{genre.pk}": genre.values.get(label="Femme").pk,
         f"category-{age.pk}": age.values.get(label="16-34").pk, "consent": "on"},
    )  # fmt: skip

    volunteer = Volunteer.objects.get()
    assert response.status_code == 302
    assert volunteer.confirmed_at is None
    (mail,) = mailoutbox
    link = reverse("panels:confirm", args=[volunteer.token])
    assert link in mail.body
    assert client.get(link).status_code == 200  # a GET (a mail scanner) confirms nothing
    volunteer.refresh_from_db()
    assert volunteer.confirmed_at is None
    client.post(link)
    volunteer.refresh_from_db()
    assert volunteer.confirmed_at is not None


def test_sign_up_page_says_when_it_is_closed(client, panel) -> None:
    panel.signup_open = False
    panel.save()

    response = client.get(reverse("panels:signup", args=[panel.process.slug, panel.slug]))

    assert 'name="first_name"' not in response.content.decode()


def test_the_public_page_publishes_the_seed_and_the_files_without_names(client, panel) -> None:
    add_volunteers(panel, POOL)
    draw = services.seed_publish(panel=panel, seed="07 12 33", by=None)

    page = client.get(panel.get_absolute_url()).content.decode()
    people = client.get(
        reverse("panels:draw_file", args=[panel.process.slug, panel.slug, draw.pk, "people"])
    )
    result = client.get(
        reverse("panels:draw_file", args=[panel.process.slug, panel.slug, draw.pk, "result"])
    )

    assert "07 12 33" in page
    assert people.content.decode().splitlines()[0] == "id,Genre,Âge"
    assert "Prénom" not in people.content.decode()
    assert result.status_code == 404  # not drawn yet


def test_a_draft_process_hides_its_panel(client, panel) -> None:
    panel.process.status = "draft"
    panel.process.save()

    assert client.get(panel.get_absolute_url()).status_code == 404


def test_a_running_draw_shows_its_progress_and_reloads_when_done(client, panel) -> None:
    add_volunteers(panel, POOL)
    draw = services.seed_publish(panel=panel, seed="1", by=None)
    _as(client, panel, Role.TERRITORY_ADMIN)
    Draw.objects.filter(pk=draw.pk).update(status="running", progress=42)

    fragment = client.get(_bo("bo_draw_progress", panel, draw.pk), HTTP_HX_REQUEST="true")
    assert "42" in fragment.content.decode()
    assert "HX-Refresh" not in fragment
    Draw.objects.filter(pk=draw.pk).update(status="done", progress=100)
    done = client.get(_bo("bo_draw_progress", panel, draw.pk), HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


def test_a_panel_of_no_one_is_refused_in_words(client, panel) -> None:
    from django.utils import translation

    _as(client, panel, Role.TERRITORY_ADMIN)

    with translation.override("en"):
        response = client.post(
            _bo("bo_panel", panel), {"title": panel.title, "size": "0", "tolerance": "1"}
        )

    page = response.content.decode()
    assert response.status_code == 200
    assert "panel_size_positive" not in page
    panel.refresh_from_db()
    assert panel.size == 4

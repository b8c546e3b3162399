"""Opinion maps in a real browser: answering on a phone, staff computing the map, the
published results; every page checked with axe-core and photographed."""

from __future__ import annotations

import pytest
from django.urls import reverse
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from fabrique.accounts.models import Role
from fabrique.accounts.services import role_grant
from fabrique.accounts.tests.factories import UserFactory
from fabrique.core.tests.browser import BrowserDemo, Web
from fabrique.participation import services as participation
from fabrique.participation.tests.factories import open_process
from fabrique.processes.models import Process
from fabrique.synthesis.models import OpinionActivity, OpinionComputation, StatementVote
from fabrique.synthesis.services import opinion as services

from .test_opinion_activity_factories import PLANTED_STATEMENTS, opinion_activity, planted_votes

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 780, "deviceScaleFactor": 1, "mobile": True}


@pytest.fixture
def process(browser_demo: BrowserDemo) -> Process:
    process = open_process(territory=browser_demo.territory, title="Mobilités")
    for title, body in [
        ("Un bus le dimanche", "Les villages n'ont aucun bus le dimanche."),
        ("Des pistes cyclables sûres", "Entre Chalon et Saint-Rémy, la route est dangereuse."),
        ("Un parking relais à la gare", "Pour laisser la voiture et prendre le train."),
    ]:
        participation.contribution_submit(
            process=process, author=browser_demo.inhabitant, kind="idea", title=title, body=body
        )
    return process


@pytest.fixture
def activity(process: Process) -> OpinionActivity:
    activity = opinion_activity(
        process,
        title="Se déplacer dans l'agglomération",
        statements=PLANTED_STATEMENTS,
        introduction="Dites-nous si vous êtes d'accord : les résultats nourriront le plan de "
        "mobilité.",
        allow_participant_statements=True,
    )
    planted_votes(activity, per_group=8)
    return activity


def _counter(web: Web) -> str:
    return web.driver.find_element(By.CSS_SELECTOR, ".opinion-counter strong").text


def _answer(web: Web, button: str, expected: str) -> None:
    web.driver.find_element(By.CSS_SELECTOR, f".vote-buttons .{button}").click()
    web.wait_for(lambda d: _counter(web) == expected)


def test_a_participant_answers_on_a_phone(web: Web, browser_demo: BrowserDemo, activity) -> None:
    total = len(PLANTED_STATEMENTS)
    web.open(activity.get_absolute_url())
    assert web.h1() == "Se déplacer dans l'agglomération"
    assert "Se connecter pour donner son avis" in web.driver.page_source
    web.check_page("opinion-activity-anonymous")

    web.log_in(browser_demo.inhabitant)
    web.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    web.open(activity.get_absolute_url())
    assert _counter(web) == f"0 / {total} avis donnés"
    first = web.driver.find_element(By.ID, "statement-text").text

    _answer(web, "vote-agree", f"1 / {total} avis donnés")
    assert web.driver.find_element(By.ID, "statement-text").text != first
    # The next statement has the focus, for screen readers and keyboards.
    assert web.driver.switch_to.active_element.get_attribute("id") == "statement-text"
    _answer(web, "vote-disagree", f"2 / {total} avis donnés")
    # A double click answers once: the buttons are disabled while the answer is sent.
    ActionChains(web.driver).double_click(
        web.driver.find_element(By.CSS_SELECTOR, ".vote-buttons .vote-pass")
    ).perform()
    web.wait_for(lambda d: _counter(web) == f"3 / {total} avis donnés")
    status = web.driver.find_element(By.CSS_SELECTOR, ".vote-status")
    assert status.text == "Réponse enregistrée."
    assert _counter(web) == f"3 / {total} avis donnés"

    votes = StatementVote.objects.filter(voter=browser_demo.inhabitant)
    assert sorted(votes.values_list("value", flat=True)) == [-1, 0, 1]
    web.check_page("opinion-activity-voting")

    # Without htmx too (a plain form, as without JavaScript): the page comes back with the
    # next statement.
    web.driver.execute_script(
        "const f = document.querySelector('#opinion-vote form'); const c = f.cloneNode(true);"
        "c.removeAttribute('hx-post'); f.replaceWith(c);"
    )
    web.submit("#opinion-vote form", ".vote-agree")
    assert _counter(web) == f"4 / {total} avis donnés"


def test_a_participant_proposes_a_statement(web: Web, browser_demo, activity) -> None:
    web.log_in(browser_demo.inhabitant)
    web.open(activity.get_absolute_url() + "#propose")
    web.fill("text", "Il faut des abris à vélos sécurisés à la gare.")

    web.submit("#propose form")

    assert "Merci ! Votre énoncé sera soumis au vote" in web.driver.page_source
    assert activity.statements.filter(status="pending").count() == 1
    web.check_page("opinion-activity-proposed")

    # The moderator finds it on the process's moderation page and puts it to the vote.
    moderator = UserFactory(display_name="Malik Modérateur")
    role_grant(
        user=moderator, role=Role.MODERATOR, territory=browser_demo.territory, granted_by=None
    )
    web.log_in(moderator)
    process = activity.process
    web.open(reverse("participation:moderation", args=[process.territory.slug, process.slug]))
    assert "1 énoncé proposé pour une carte des opinions" in web.driver.page_source
    web.check_page("moderation-opinion-statement")
    web.submit(".moderation-list form", "button[value=accept]")

    assert "L’énoncé est soumis au vote." in web.driver.page_source
    assert activity.statements.filter(status="pending").count() == 0
    assert "Énoncé « Il faut des abris à vélos sécurisés à la gare. »" in web.driver.page_source


def test_staff_add_statements_and_compute_the_map(web: Web, browser_demo, activity) -> None:
    process = activity.process
    web.log_in(browser_demo.territory_admin)
    web.open(reverse("synthesis:bo_opinion_list", args=[process.territory.slug, process.slug]))
    assert web.h1() == "Cartes des opinions"
    web.check_page("opinion-bo-list")

    web.open(
        reverse("synthesis:bo_opinion", args=[process.territory.slug, process.slug, activity.pk])
    )
    # Faulty lines: reported by number, nothing written, the text kept.
    web.fill("lines", "Une ligne correcte\n" + "trop long " * 29 + "trop long!")
    web.submit("#add form")
    assert "Ligne 2 : 300 caractères, 280 au plus." in web.driver.page_source
    assert "trop long trop long" in web.driver.find_element(By.NAME, "lines").get_attribute("value")
    assert not activity.statements.filter(text="Une ligne correcte").exists()
    web.check_page("opinion-bo-activity-errors")

    # From contributions: tick one, rewrite its text.
    web.open(
        reverse(
            "synthesis:bo_opinion_from_contributions",
            args=[process.territory.slug, process.slug, activity.pk],
        )
    )
    web.check_page("opinion-bo-from-contributions")
    contribution = process.contributions.get(title="Un bus le dimanche")
    web.driver.find_element(By.ID, f"chosen-{contribution.pk}").click()
    web.fill(f"text-{contribution.pk}", "Les bus devraient rouler le dimanche dans les villages.")
    web.submit("main form[method=post]")
    assert activity.statements.filter(source_contribution=contribution).exists()

    # The map: launched, computed in the background, then published.
    web.submit("#computations form")
    computation = OpinionComputation.objects.get(activity=activity)
    web.wait_for(lambda d: "Publier ces résultats" in d.page_source, timeout=60)
    computation.refresh_from_db()
    assert computation.status == OpinionComputation.Status.DONE
    assert web.driver.find_elements(By.CSS_SELECTOR, ".opinion-map svg use")
    web.check_page("opinion-bo-computation")
    web.submit("#publish-form")
    computation.refresh_from_db()
    assert computation.published_at is not None


def test_a_failed_computation_says_why_and_offers_to_retry(web: Web, browser_demo) -> None:
    process = open_process(territory=browser_demo.territory, title="Place du marché")
    activity = opinion_activity(process)  # nobody voted
    computation = services.opinion_computation_launch(activity=activity, by=None)
    services.opinion_computation_run(computation=computation)
    web.log_in(browser_demo.territory_admin)

    web.open(
        reverse(
            "synthesis:bo_opinion_computation",
            args=[process.territory.slug, process.slug, activity.pk, computation.number],
        )
    )

    assert "Le calcul a échoué." in web.driver.page_source
    assert "Personne n’a encore répondu" in web.driver.page_source
    web.check_page("opinion-bo-computation-failed")
    web.submit("#opinion-progress form")
    computation.refresh_from_db()
    # Run again at once by the task backend of the tests, and failed again for the same reason.
    assert computation.status in (
        OpinionComputation.Status.QUEUED,
        OpinionComputation.Status.FAILED,
    )


def test_the_published_map_shows_each_person_their_dot(web: Web, browser_demo, activity) -> None:
    statements = list(activity.statements.filter(status="accepted"))
    for statement, value in zip(statements, [1, 1, 1, -1, -1, 1, 1, -1, 1], strict=True):
        services.statement_vote(statement=statement, voter=browser_demo.inhabitant, value=value)
    computation = services.opinion_computation_launch(activity=activity, by=None)
    computation = services.opinion_computation_run(computation=computation)
    services.opinion_computation_publish(computation=computation)

    web.open(reverse("synthesis:opinion_list", args=[activity.process.slug]))
    web.check_page("opinion-list")
    web.open(reverse("synthesis:opinion_results", args=[activity.process.slug, activity.pk]))
    assert "Entouré de noir" not in web.driver.page_source
    web.log_in(browser_demo.inhabitant)
    web.open(reverse("synthesis:opinion_results", args=[activity.process.slug, activity.pk]))

    assert web.h1() == "La carte des opinions : Se déplacer dans l'agglomération"
    source = web.driver.page_source
    assert "Entouré de noir : vous" in source
    assert "Ce qui rassemble" in source
    assert "Ce qui divise" in source
    assert "Comment la carte est faite" in source
    web.driver.find_element(By.CSS_SELECTOR, "#figures-heading + details summary").click()
    web.check_page("opinion-results")

"""Near-duplicates in a real browser, with axe-core: the hint while typing a contribution (on a
phone), the clusters page and a merge, the merged contribution's page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By

from fabrique.core.tests.browser import PHONE_WIDTH, VIEWPORT_HEIGHT, BrowserDemo, Web
from fabrique.participation import services as participation
from fabrique.participation.models import Contribution
from fabrique.participation.tests.factories import open_process
from fabrique.processes.models import Process
from fabrique.synthesis.models import DuplicateCluster

pytestmark = pytest.mark.browser


@pytest.fixture
def process(browser_demo: BrowserDemo) -> Process:
    return open_process(territory=browser_demo.territory, title="Idées pour le quotidien")


def _post(process: Process, title: str, body: str, author=None) -> Contribution:
    from fabrique.accounts.tests.factories import UserFactory

    return participation.contribution_submit(
        process=process, author=author or UserFactory(), kind=Contribution.Kind.IDEA,
        title=title, body=body,
    )  # fmt: skip


@pytest.fixture
def bikes(process: Process) -> list[Contribution]:
    from fabrique.accounts.tests.factories import UserFactory

    found = [
        _post(process, "Des pistes cyclables jusqu'aux écoles",
              "Les enfants pourraient aller à l'école à vélo en sécurité.",
              UserFactory(display_name="Inès Martin")),
        _post(process, "Pistes cyclables vers les écoles",
              "Pour que les enfants aillent à l'école à vélo en sécurité.",
              UserFactory(display_name="Paul Girard")),
        _post(process, "Une piste cyclable jusqu'à l'école",
              "Les enfants iraient à l'école à vélo, en sécurité.",
              UserFactory(display_name="Awa Diallo")),
    ]  # fmt: skip
    _post(process, "Ouvrir la piscine le dimanche", "Des horaires élargis l'été.")
    _post(process, "Des bancs dans le parc", "Pour que les personnes âgées se reposent.")
    supporter = UserFactory()
    participation.support_toggle(contribution=found[1], user=supporter, support=True)
    return found


def _phone(web: Web) -> None:
    web.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": PHONE_WIDTH, "height": VIEWPORT_HEIGHT, "deviceScaleFactor": 1, "mobile": True},
    )


def test_while_typing_on_a_phone_close_contributions_appear_and_one_is_supported(
    web: Web, browser_demo: BrowserDemo, process: Process, bikes: list[Contribution]
) -> None:
    web.log_in(browser_demo.inhabitant)
    _phone(web)
    web.open(reverse("participation:create", args=[process.slug]))
    web.driver.find_element(By.ID, "id_title").send_keys("Piste cyclable vers l'école")
    web.driver.find_element(By.ID, "id_body").send_keys("Pour aller à l'école à vélo")

    hint = web.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, "#similar-hint .similar"))[0]
    assert "Des contributions proches existent déjà" in hint.text
    assert "Pistes cyclables vers les écoles" in hint.text
    assert "piscine" not in hint.text
    assert web.driver.find_element(By.ID, "similar-hint").get_attribute("aria-live") == "polite"
    web.check_page("duplicates-typing-hint")

    supported = bikes[1]
    button = web.driver.find_element(By.CSS_SELECTOR, f"#similar-support-{supported.pk} button")
    button.click()
    web.wait_for(
        lambda d: (
            "Vous la soutenez" in d.find_element(By.ID, f"similar-support-{supported.pk}").text
        )
    )
    assert Contribution.objects.get(pk=supported.pk).support_count == 2
    # The contribution being typed is untouched, and can still be sent.
    assert web.driver.find_element(By.ID, "id_title").get_attribute("value").startswith("Piste")
    web.check_page("duplicates-typing-hint-supported")


def test_staff_search_the_clusters_merge_one_and_the_source_page_says_where_it_went(
    web: Web, browser_demo: BrowserDemo, process: Process, bikes: list[Contribution]
) -> None:
    web.log_in(browser_demo.territory_admin)
    page = reverse("synthesis:bo_duplicates", args=[process.territory.slug, process.slug])
    web.open(page)
    assert web.h1() == "Quasi-doublons"
    web.check_page("duplicates-before-search")

    web.submit("main form")  # the search runs at once in development
    cluster = DuplicateCluster.objects.get()
    web.open(page)
    text = web.driver.find_element(By.ID, f"cluster-{cluster.pk}").text
    for name in ("Inès Martin", "Paul Girard", "Awa Diallo"):
        assert name in text
    kept = web.driver.find_element(By.ID, f"c{cluster.pk}-target-{bikes[1].pk}")
    assert kept.is_selected()  # the most supported
    web.check_page("duplicates-clusters")

    web.submit(f"#cluster-{cluster.pk} form")
    assert "Fusionnées dans « Pistes cyclables vers les écoles »" in web.driver.page_source
    assert Contribution.objects.filter(merged_into=bikes[1]).count() == 2
    web.check_page("duplicates-after-merge")

    web.open(bikes[1].get_absolute_url())
    assert "Rassemble aussi les contributions de" in web.driver.page_source
    web.check_page("duplicates-merged-target")

    web.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    web.open(bikes[0].get_absolute_url())
    banner = web.driver.find_element(By.ID, "lineage-merged").text
    assert "Cette contribution a été fusionnée dans « Pistes cyclables vers les écoles »" in banner
    assert web.h1() == bikes[0].title
    web.check_page("duplicates-merged-source")

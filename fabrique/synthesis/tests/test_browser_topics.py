"""Topics in a real browser: staff compute a version, read it, merge two topics (axe on each)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By

from fabrique.core.tests.browser import BrowserDemo, Web
from fabrique.participation.models import Contribution
from fabrique.participation.tests.factories import open_process
from fabrique.synthesis.models import Synthesis
from fabrique.synthesis.tests.test_topics_versions import THEMES

pytestmark = pytest.mark.browser


def test_staff_compute_read_and_merge_topics(web: Web, browser_demo: BrowserDemo) -> None:
    process = open_process(territory=browser_demo.territory)
    phase = process.phases.first()
    for theme, titles in THEMES.items():
        for title in titles:
            Contribution.objects.create(
                process=process, phase=phase, author=browser_demo.inhabitant, title=title,
                body=f"{title}. C'est important pour notre quotidien ({theme}).",
            )  # fmt: skip
    web.log_in(browser_demo.territory_admin)
    web.open(reverse("synthesis:bo_list", args=[process.territory.slug, process.slug]))
    web.check_page("synthesis-topics-launch")
    web.fill("requested_topics", "3")
    web.submit("main form")
    synthesis = Synthesis.objects.get(process=process)
    assert synthesis.status == Synthesis.Status.DONE, synthesis.error
    web.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, "ol.topics > li"))
    web.check_page("synthesis-topics-version")
    boxes = web.driver.find_elements(By.CSS_SELECTOR, "input[name=topics]")
    boxes[1].click()
    boxes[2].click()
    web.driver.find_element(By.CSS_SELECTOR, "button[form=merge-form]").click()
    web.wait_for(lambda d: len(d.find_elements(By.CSS_SELECTOR, "ol.topics > li")) == 2)
    assert synthesis.topics.count() == 2
    web.driver.find_element(By.CSS_SELECTOR, "ol.topics > li h2 a").click()
    web.check_page("synthesis-topic-contributions")

"""A live session in a real browser, through a server that speaks websockets: a participant
joins on a phone, answers, loses the connection and gets it back without losing what they
sent; the facilitator moderates from the console; the projector follows. axe on each page."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By

from fabrique.core.tests.browser import BrowserDemo, Web
from fabrique.workshops.live_broadcast import changed_sync
from fabrique.workshops.models import LiveQuestion, LiveResponse, LiveSession
from fabrique.workshops.services import live as services
from fabrique.workshops.tests.factories import WorkshopFactory, live_poll, workshop_process

pytestmark = pytest.mark.browser


@pytest.fixture
def asgi_url(transactional_db: None) -> Iterator[str]:
    """The whole ASGI application (pages, static files, websockets) under uvicorn, in a
    thread, on a free port of 127.0.0.1: pytest-django's live server speaks no websocket."""
    import uvicorn
    from channels.routing import ProtocolTypeRouter
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from django.core.asgi import get_asgi_application

    from config.asgi import application

    app = ProtocolTypeRouter(
        {
            "http": ASGIStaticFilesHandler(get_asgi_application()),
            "websocket": application.application_mapping["websocket"],
        }
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            lifespan="off",
            log_level="warning",
            ws="websockets-sansio",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the ASGI test server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def live_web(browser: Any, asgi_url: str) -> Web:
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    from fabrique.core.tests import browser as helpers

    for cache in caches.all():
        if isinstance(cache, LocMemCache):
            cache.clear()
    helpers.reset_driver(browser)
    return helpers.Web(driver=browser, base_url=asgi_url)


def wait_text(web: Web, selector: str, text: str, timeout: float = 15) -> None:
    web.wait_for(
        lambda d: any(text in e.text for e in d.find_elements(By.CSS_SELECTOR, selector)), timeout
    )


def test_a_live_session_from_phone_to_projector(live_web: Web, browser_demo: BrowserDemo) -> None:
    web = live_web
    process = workshop_process(territory=browser_demo.territory)
    workshop = WorkshopFactory(process=process, title="Grand débat des mobilités")
    session = services.session_create(workshop=workshop)
    services.session_open(session=session)
    poll = live_poll(session, prompt="Comment venez-vous au travail ?")
    cloud = live_poll(session, kind="wordcloud", prompt="Un mot pour la ville de demain ?")
    services.session_show(session=session, screen=LiveSession.Screen.POLL, poll_id=poll.pk)

    # A participant types the code, chooses a nickname.
    web.open(reverse("workshops:live_join"))
    web.check_page("live-join")
    web.fill("code", session.code.lower())
    web.submit("main form")
    web.check_page("live-nickname")
    web.fill("nickname", "Zoé")
    web.submit("main form")
    assert web.h1() == "Grand débat des mobilités"
    # The script takes over once the socket is open (the page carries the version).
    web.wait_for(lambda d: d.execute_script("return document.documentElement.dataset.liveVersion"))
    web.check_page("live-participant")

    # Answer the poll: recorded, the results show it.
    card = web.driver.find_element(By.ID, f"poll-{poll.pk}")
    card.find_elements(By.CSS_SELECTOR, "input[name=options]")[1].click()
    card.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_text(web, f"#poll-{poll.pk} .live-bar-count", "100 % (1)")
    assert LiveResponse.objects.filter(poll=poll).count() == 1

    # The connection drops as the word cloud is answered: a clear notice, then the answer
    # is delivered once the connection is back, and only once.
    words = web.driver.find_elements(By.CSS_SELECTOR, f"#poll-{cloud.pk} input[name=words]")
    words[0].send_keys("Vélo")
    words[1].send_keys("Arbres")
    web.driver.execute_script(
        "FabriqueLive.drop();document.querySelector(arguments[0]).requestSubmit();",
        f"#poll-{cloud.pk} form",
    )
    web.wait_for(
        lambda d: "is-warning" in d.find_element(By.ID, "live-notice").get_attribute("class")
    )
    assert web.driver.find_element(By.ID, "live-notice").text
    web.wait_for(lambda d: "is-ok" in d.find_element(By.ID, "live-notice").get_attribute("class"))
    wait_text(web, f"#poll-{cloud.pk} .live-cloud", "vélo")
    web.wait_for(lambda d: d.execute_script("return FabriqueLive.outbox().length === 0"))
    assert LiveResponse.objects.filter(poll=cloud).count() == 1

    # A poll opened meanwhile appears, and is announced.
    scale = live_poll(session, kind="scale", prompt="Votre note pour les bus ?", scale_max=5)
    changed_sync(session.pk)
    wait_text(web, "#live-notice", "Un nouveau sondage est ouvert.")
    web.driver.find_element(
        By.CSS_SELECTOR, f"#poll-{scale.pk} input[name=value][value='4']"
    ).click()
    web.driver.find_element(By.CSS_SELECTOR, f"#poll-{scale.pk} button[type=submit]").click()
    wait_text(web, f"#poll-{scale.pk} .live-mean", "4")
    assert LiveResponse.objects.get(poll=scale).value == 4

    # A question, with the live character counter; it waits for moderation.
    area = web.driver.find_element(By.NAME, "text")
    area.send_keys("Et les bus le dimanche ?")
    assert "24" in web.driver.find_element(By.CSS_SELECTOR, ".live-counter").text
    web.driver.find_element(By.CSS_SELECTOR, "form.live-ask button[type=submit]").click()
    wait_text(web, "#live-mine", "Et les bus le dimanche ?")
    web.check_page("live-participant-answered")
    question = LiveQuestion.objects.get()
    assert question.status == LiveQuestion.Status.PENDING

    # The facilitator: console, then the projector.
    web.driver.delete_all_cookies()
    web.log_in(browser_demo.territory_admin)
    web.open(reverse("workshops:bo_live", args=[process.territory.slug, process.slug, workshop.pk]))
    web.wait_for(lambda d: d.execute_script("return document.documentElement.dataset.liveVersion"))
    web.check_page("live-console")
    button = web.driver.find_element(
        By.CSS_SELECTOR, f"#live-pending [data-question='{question.pk}'] button[type=submit]"
    )
    button.click()
    web.wait_for(
        lambda d: (
            not d.find_elements(By.CSS_SELECTOR, f"#live-pending [data-question='{question.pk}']")
        )
    )
    wait_text(web, "#live-shown", "Et les bus le dimanche ?")
    question.refresh_from_db()
    assert question.status == LiveQuestion.Status.APPROVED

    web.open(reverse("workshops:live_screen", args=[session.code]))
    wait_text(web, "#screen-poll-results", "100 %")
    web.check_page("live-screen-poll")
    services.session_show(session=session, screen=LiveSession.Screen.QUESTIONS)
    changed_sync(session.pk)
    wait_text(web, "#screen-question-list", "Et les bus le dimanche ?", timeout=20)
    web.check_page("live-screen-questions")

    services.session_show(session=session, screen=LiveSession.Screen.JOIN)
    changed_sync(session.pk)
    web.wait_for(lambda d: d.find_element(By.ID, "screen-join").is_displayed(), 20)
    assert web.driver.find_element(By.CSS_SELECTOR, "#screen-join svg")
    web.check_page("live-screen-join")

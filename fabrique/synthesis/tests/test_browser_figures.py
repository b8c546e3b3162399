"""Who says what and representativeness in a real browser, on Grand Chalon (axe on each)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from selenium.webdriver.common.by import By

from fabrique.accounts.models import ActorKind, AgeBand, Gender
from fabrique.accounts.tests.factories import UserFactory
from fabrique.core.tests.browser import BrowserDemo, Web
from fabrique.participation.models import Contribution, Support
from fabrique.participation.tests.factories import open_process
from fabrique.processes.models import Process
from fabrique.synthesis.models import Synthesis, Topic
from fabrique.synthesis.services.figures import reference_shares_set
from fabrique.synthesis.tests.factories import (
    ContributionFactory,
    SynthesisFactory,
    TopicFactory,
    put_in_topic,
)
from fabrique.workshops.models import CapturedContribution
from fabrique.workshops.tests.factories import RegistrationFactory, held_workshop

pytestmark = pytest.mark.browser

TOPICS = {
    "Pistes cyclables": ["vélo", "piste", "sécurité"],
    "Arbres et ombre": ["arbre", "ombre", "école"],
    "Bus du soir": ["bus", "soir", "horaire"],
    "Commerces de proximité": ["commerce", "marché", "centre"],
}
IDEAS = {
    "Pistes cyclables": "Une piste cyclable sûre entre {commune} et Chalon, pour aller au travail.",
    "Arbres et ombre": "Planter des arbres dans la cour de l'école de {commune} : il y fait chaud.",
    "Bus du soir": "Un bus après 21 h pour rentrer de Chalon à {commune} après le travail.",
    "Commerces de proximité": "Garder une boulangerie et un marché le samedi à {commune}.",
}


@dataclass
class FiguresDemo:
    process: Process
    synthesis: Synthesis
    topics: list[Topic]


def make_figures_demo(demo: BrowserDemo) -> FiguresDemo:
    """A process of Grand Chalon with 80 contributions from six communes, heavily from the
    central town, a finished version of four topics, a workshop, and population shares."""
    rng = random.Random(4)
    territory = demo.territory
    process = open_process(territory=territory, title="Projet de territoire 2030")
    communes = list(territory.communes.order_by("-population")[:6])
    south, west, north, east = (float(x) for x in territory.map_bounds)
    synthesis = SynthesisFactory(process=process, title="Synthèse de printemps")
    topics = [
        TopicFactory(synthesis=synthesis, label=label, keywords=keywords, position=index)
        for index, (label, keywords) in enumerate(TOPICS.items())
    ]
    people = []
    for index in range(40):
        commune = communes[0] if index < 26 else communes[1 + index % 5]
        people.append(
            UserFactory(
                commune=commune if index % 9 else None,
                actor_kind=[ActorKind.INHABITANT, ActorKind.ASSOCIATION, ActorKind.BUSINESS, ""][
                    index % 4
                ],
                age_band=[AgeBand.FROM_45_TO_59, AgeBand.FROM_60_TO_74, AgeBand.FROM_30_TO_44, ""][
                    index % 4
                ],
                gender=Gender.MAN if index % 5 else Gender.WOMAN,
            )
        )
    workshop = held_workshop(process=process, title="Atelier mobilités à Givry")
    contributions = []
    for index in range(80):
        topic = topics[index % 4] if index % 13 else topics[rng.randrange(4)]
        author = people[index % 40]
        commune = author.commune or communes[index % 6]
        spot = communes.index(commune) if commune in communes else 0
        contribution = ContributionFactory(
            process=process,
            author=author,
            title=f"{topic.label} : idée n°{index + 1}",
            body=IDEAS[topic.label].format(commune=commune.name),
            commune=commune if index % 2 else None,
            latitude=Decimal(f"{south + (north - south) * (0.3 + 0.08 * spot):.6f}")
            if index % 2
            else None,
            longitude=Decimal(f"{west + (east - west) * (0.25 + 0.1 * spot):.6f}")
            if index % 2
            else None,
            support_count=rng.randrange(12),
        )
        if index % 10 == 0:
            Contribution.objects.filter(pk=contribution.pk).update(
                collected_by=demo.territory_admin, author=demo.territory_admin
            )
            CapturedContribution.objects.create(contribution=contribution, workshop=workshop)
        if index % 7 == 0:
            Contribution.objects.filter(pk=contribution.pk).update(
                status=Contribution.Status.RETAINED,
                answer="Retenu : nous l'étudions avec les communes pour 2027.",
                answered_at=timezone.now() - timedelta(days=index),
            )
        put_in_topic(contribution, topic, representative=index < 12, closeness=rng.random())
        contributions.append(contribution)
    for person in people[:20]:
        Support.objects.get_or_create(contribution=contributions[3], user=person)
    for person in people[30:]:
        RegistrationFactory(
            workshop=workshop, user=person, email=person.email, checked_in_at=timezone.now()
        )
    reference_shares_set(
        territory=territory, attribute="gender", text="Femme ; 52\nHomme ; 48",
        source="INSEE, recensement 2021", by=None,
    )  # fmt: skip
    reference_shares_set(
        territory=territory, attribute="age_band",
        text="15-29 ; 17\n30-44 ; 22\n45-59 ; 25\n60-74 ; 23\n75+ ; 13",
        source="INSEE, recensement 2021, population de 15 ans ou plus", by=None,
    )  # fmt: skip
    return FiguresDemo(process=process, synthesis=synthesis, topics=topics)


def test_staff_read_who_says_what_and_the_representativeness(
    web: Web, browser_demo: BrowserDemo
) -> None:
    found = make_figures_demo(browser_demo)
    process = found.process
    args = [process.territory.slug, process.slug]
    web.log_in(browser_demo.territory_admin)

    web.open(reverse("synthesis:bo_who_says_what", args=args))
    assert web.h1() == "Qui dit quoi"
    assert "Pistes cyclables" in web.driver.page_source
    web.check_page("synthesis-who-says-what-communes")

    web.driver.find_element(By.CSS_SELECTOR, "select[name=dimension] option[value=basin]").click()
    web.submit("main form.figures-form")
    assert "Centre urbain" in web.driver.page_source
    web.check_page("synthesis-who-says-what-basins")

    web.driver.find_element(By.CSS_SELECTOR, "select[name=dimension] option[value=channel]").click()
    web.submit("main form.figures-form")
    assert "En atelier" in web.driver.page_source

    web.open(reverse("synthesis:bo_representativeness", args=args))
    assert web.h1() == "Représentativité"
    page = web.driver.page_source
    assert "Des voix sous-représentées" in page
    assert "Les femmes représentent 52 %" in page
    web.check_page("synthesis-representativeness")

    # Shares with a mistake: every faulty line said, what was typed kept.
    web.driver.find_element(By.CSS_SELECTOR, "#attribute-gender details summary").click()
    web.fill("gender-shares", "Femme ; 52\nChat ; 40")
    web.submit("#attribute-gender form")
    assert "Ligne 2 : « Chat »" in web.driver.page_source
    web.check_page("synthesis-representativeness-shares-error")

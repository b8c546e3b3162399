"""Workshops for tests: a published process whose current phase opens the workshops mode.

Shared by every part of the workshops app; append new factories at the end of the file.
"""

from __future__ import annotations

import io
from datetime import timedelta

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from factory.django import DjangoModelFactory
from PIL import Image

from fabrique.processes.models import ParticipationMode, Process
from fabrique.processes.tests.factories import published_process_open_for
from fabrique.workshops.models import Invitation, Registration, Table, Workshop


def workshop_process(**kwargs) -> Process:
    """A published process whose one phase, around today, opens the workshops mode."""
    return published_process_open_for(ParticipationMode.WORKSHOPS, title="Ateliers", **kwargs)


class WorkshopFactory(DjangoModelFactory):
    """A published in-person workshop, a week from now, for two hours, 20 seats.

    ``WorkshopFactory(process=p)`` puts it in an existing process (its first phase).
    """

    class Meta:
        model = Workshop
        skip_postgeneration_save = True

    process = factory.LazyFunction(workshop_process)
    phase = factory.LazyAttribute(lambda o: o.process.phases.first())
    title = factory.Sequence(lambda n: f"Atelier n°{n} : mobilités du quotidien")
    summary = "Imaginer ensemble les déplacements de demain."
    description = "Un atelier pour partager vos idées, en petits groupes."
    format = Workshop.Format.IN_PERSON
    commune = factory.LazyAttribute(lambda o: o.process.territory.communes.first())
    place_name = "Salle des fêtes"
    address = "1 place de la Mairie"
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=7)).replace(
            hour=16, minute=0, second=0, microsecond=0
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    capacity = 20
    audience = Workshop.Audience.OPEN
    registration_open = True
    status = Workshop.Status.PUBLISHED

    @factory.post_generation
    def facilitators(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted:
            self.facilitators.set(extracted)  # type: ignore[attr-defined]


class RegistrationFactory(DjangoModelFactory):
    """A confirmed registration by a visitor (name and address, no account)."""

    class Meta:
        model = Registration

    workshop = factory.SubFactory(WorkshopFactory)
    name = factory.Faker("name", locale="fr_FR")
    email = factory.Sequence(lambda n: f"inscrit{n}@exemple.fr")
    status = Registration.Status.CONFIRMED
    confirmed_at = factory.LazyFunction(timezone.now)
    waitlisted_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == Registration.Status.WAITLISTED else None
    )
    cancelled_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == Registration.Status.CANCELLED else None
    )


class InvitationFactory(DjangoModelFactory):
    class Meta:
        model = Invitation

    workshop = factory.SubFactory(WorkshopFactory, audience=Workshop.Audience.INVITATION)
    email = factory.Sequence(lambda n: f"invite{n}@exemple.fr")
    name = factory.Faker("name", locale="fr_FR")


class TableFactory(DjangoModelFactory):
    class Meta:
        model = Table

    workshop = factory.SubFactory(WorkshopFactory)
    name = factory.Sequence(lambda n: f"Table {n + 1}")
    topic = "Se déplacer sans voiture"
    position = factory.Sequence(lambda n: n)


# --- The day itself (tables, captures, documents, restitution) ----------------------------


def held_workshop(**kwargs) -> Workshop:
    """A published workshop that took place this very day, a few hours ago."""
    now = timezone.now()
    start = now - timedelta(hours=3)
    return WorkshopFactory(starts_at=start, ends_at=start + timedelta(hours=2), **kwargs)


def image_upload(name: str = "tableau.png", fmt: str = "PNG") -> SimpleUploadedFile:
    """A real little image, as a browser would send it."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 40)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


# --- Live sessions (live mode) -------------------------------------------------------------


def open_live_session(workshop: Workshop | None = None, **kwargs: object):
    """An open live session of ``workshop`` (a new published one unless given)."""
    from fabrique.workshops.services import live as live_services

    session = live_services.session_create(workshop=workshop or WorkshopFactory(), **kwargs)
    live_services.session_open(session=session)
    return session


def live_poll(session, kind: str = "single", open_: bool = True, **kwargs: object):
    """A poll of ``session``: single choice by default (« À pied », « À vélo », « En bus »)."""
    from fabrique.workshops.services import live as live_services

    defaults: dict[str, object] = {"prompt": "Comment venez-vous à l’atelier ?"}
    if kind in ("single", "multiple"):
        defaults["options"] = ["À pied", "À vélo", "En bus"]
    defaults.update(kwargs)
    poll = live_services.poll_create(session=session, kind=kind, **defaults)
    if open_:
        live_services.poll_open(poll=poll)
    return poll

"""Synthesis test data made with the models directly: contributions, finished versions, topics.

Shared by every part of the synthesis app; append new factories at the end of the file.
"""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from fabrique.participation.models import Contribution
from fabrique.participation.tests.factories import open_process
from fabrique.synthesis.models import Synthesis, Topic, TopicMembership


class ContributionFactory(DjangoModelFactory):
    """A published idea in an open process (its first phase), by nobody unless told."""

    class Meta:
        model = Contribution

    process = factory.LazyFunction(open_process)
    phase = factory.LazyAttribute(lambda o: o.process.phases.first())
    kind = Contribution.Kind.IDEA
    title = factory.Sequence(lambda n: f"Idée n°{n} : plus de pistes cyclables")
    body = "Des pistes cyclables sûres entre les villages, pour aller à l'école à vélo."


class SynthesisFactory(DjangoModelFactory):
    """A finished version of the topics of a process."""

    class Meta:
        model = Synthesis

    process = factory.LazyFunction(open_process)
    number = factory.Sequence(lambda n: n + 1)
    status = Synthesis.Status.DONE
    progress = 100
    method = factory.LazyFunction(
        lambda: {"description": "Regroupement des contributions selon les mots qu'elles emploient."}
    )
    finished_at = factory.LazyFunction(timezone.now)


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic

    synthesis = factory.SubFactory(SynthesisFactory)
    position = factory.Sequence(lambda n: n)
    label = factory.Sequence(lambda n: f"Thème {n}")
    keywords = factory.LazyFunction(lambda: ["vélo", "piste", "école"])


def put_in_topic(
    contribution: Contribution,
    topic: Topic | None,
    *,
    synthesis: Synthesis | None = None,
    representative: bool = False,
    closeness: float = 0.5,
) -> TopicMembership:
    """Place a contribution in a topic of a version (``topic=None``: in no topic), and keep
    the topic's size and the version's count right."""
    version = synthesis or (topic.synthesis if topic else None)
    assert version is not None, "give a topic or a synthesis"
    membership = TopicMembership.objects.create(
        synthesis=version,
        topic=topic,
        contribution=contribution,
        representative=representative,
        closeness=closeness,
    )
    if topic is not None:
        Topic.objects.filter(pk=topic.pk).update(size=topic.memberships.count())
    Synthesis.objects.filter(pk=version.pk).update(contribution_count=version.memberships.count())
    return membership

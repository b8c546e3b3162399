"""Demo synthesis on Grand Chalon's project: a version of the topics and its published report,
and an opinion map answered by fictional inhabitants, computed and published, with one
proposal waiting for the moderator.

Every person and every answer here is fictional; the answers are drawn from a fixed seed, so
that the demo is the same on every machine.
"""

from __future__ import annotations

import random

from fabrique.accounts.models import ActorKind, User
from fabrique.processes.models import Process
from fabrique.synthesis.models import OpinionActivity, StatementVote
from fabrique.synthesis.services import opinion, report, topics

# Statement, then the usual answer of each camp: people who cannot do without a car (rural
# communes), and people who mostly walk, cycle or take the bus (the urban centre).
# 1 agree, -1 disagree, 0 pass.
STATEMENTS = [
    ("Il faut des pistes cyclables séparées de la route entre les communes.", 1, 1),
    ("Les bus devraient passer le dimanche dans toutes les communes.", 1, 1),
    ("Il faut des navettes vers les zones d'activité aux heures d'embauche.", 1, 1),
    ("Le centre de Chalon devrait être fermé aux voitures le samedi.", -1, 1),
    ("Il faut plus de places de stationnement près des gares.", 1, -1),
    ("Les transports en commun devraient être gratuits, payés par l'impôt.", -1, 1),
    ("La vitesse devrait être limitée à 30 km/h dans tous les centres-bourgs.", -1, 1),
    ("Entretenir les routes de campagne passe avant tout nouveau projet.", 1, -1),
    ("L'agglomération devrait organiser le covoiturage entre voisins.", 1, 0),
    ("Sans voiture, on ne peut pas vivre dans une commune rurale aujourd'hui.", 1, 1),
]
CAMPS = {"rural": (1, 30), "urban": (2, 22)}  # column of STATEMENTS, number of people
COMMUNES = {
    "rural": ["71221", "71442", "71189", "71502", "71118"],
    "urban": ["71076", "71445", "71475"],
}


def load_demo_synthesis(*, staff: User, moderator_waiting_for: User) -> None:
    process = Process.objects.get(slug="projet-de-territoire")
    if OpinionActivity.objects.filter(process=process).exists():
        return
    _opinion_map(process, staff, moderator_waiting_for)
    version = topics.synthesis_launch(process=process, by=staff, title="Première lecture")
    version = topics.synthesis_run(synthesis=version)
    draft = report.report_create(
        synthesis=version, title="Ce que vous nous avez dit — automne 2026", by=staff, language="fr"
    )
    report.report_publish(report=draft, by=staff)


def _opinion_map(process: Process, staff: User, proposer: User) -> None:
    activity = opinion.opinion_activity_save(
        process=process,
        title="Se déplacer dans le Grand Chalon : qu'en pensez-vous ?",
        introduction=(
            "Dites si vous êtes d'accord avec chaque affirmation. La carte montre les groupes "
            "d'opinion et ce qui rassemble tout le monde."
        ),
        allow_participant_statements=True,
        by=staff,
    )
    statements = opinion.statements_add(
        activity=activity, text="\n".join(text for text, *_ in STATEMENTS), by=staff
    )
    opinion.opinion_activity_set_status(activity=activity, status=OpinionActivity.Status.OPEN)
    draw = random.Random(2026)
    territory = process.territory
    votes = []
    for camp, (column, size) in CAMPS.items():
        communes = list(territory.communes.filter(insee_code__in=COMMUNES[camp]))
        people = User.objects.bulk_create(
            User(
                email=f"carte-{camp}-{i}@grandchalon.demo",
                display_name=f"Habitant·e {camp[0].upper()}{i + 1}",
                password="!",  # fictional: never logs in
                actor_kind=ActorKind.INHABITANT,
                commune=communes[i % len(communes)],
            )
            for i in range(size)
        )
        for person in people:
            for statement, row in zip(statements, STATEMENTS, strict=True):
                if draw.random() < 0.15:
                    continue  # not everyone answers everything
                usual = int(row[column])
                roll = draw.random()
                value = usual if roll < 0.8 else (0 if roll < 0.93 else -usual or 1)
                votes.append(StatementVote(statement=statement, voter=person, value=value))
    StatementVote.objects.bulk_create(votes)
    opinion.statement_propose(
        activity=activity,
        author=proposer,
        text="Il faudrait un parking à vélos sécurisé à chaque gare.",
    )
    computation = opinion.opinion_computation_launch(activity=activity, by=staff)
    computation = opinion.opinion_computation_run(computation=computation)
    opinion.opinion_computation_publish(computation=computation)

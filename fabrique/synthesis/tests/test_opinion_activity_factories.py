"""Opinion maps for tests (helpers, no test here): an activity with statements, and a planted
set of votes whose groups are known in advance."""

from __future__ import annotations

import itertools

from fabrique.accounts.models import User
from fabrique.participation.tests.factories import open_process
from fabrique.processes.models import Process
from fabrique.synthesis.models import OpinionActivity, Statement, StatementVote
from fabrique.synthesis.services import opinion as services

# Three groups of people; what each group answers to each statement (1 agree, -1 disagree,
# 0 pass). Statements 0 and 1 unite everyone; 2, 3 and 4 set one group against the two
# others; 5 divides (A for, B against, C split between passing and agreeing).
PLANTED = {
    "A": [1, 1, 1, -1, -1, 1, 1, -1, 1],
    "B": [1, 1, -1, 1, -1, -1, -1, 1, 1],
    "C": [1, 1, -1, -1, 1, 0, 1, 1, -1],
}
PLANTED_STATEMENTS = [
    "Les pistes cyclables doivent être continues.",
    "Les arrêts de bus doivent être accessibles aux fauteuils.",
    "Le centre-ville doit être piéton le samedi.",
    "Il faut plus de places de stationnement.",
    "Les navettes gratuites doivent desservir les villages.",
    "La voiture n'a plus sa place en ville.",
    "Il faut un tramway.",
    "Les zones commerciales doivent rester accessibles en voiture.",
    "Le covoiturage doit être encouragé par des primes.",
]


def opinion_activity(
    process: Process | None = None,
    *,
    statements: list[str] | None = None,
    status: str = OpinionActivity.Status.OPEN,
    **kwargs: object,
) -> OpinionActivity:
    process = process or open_process()
    activity = services.opinion_activity_save(
        process=process, title=str(kwargs.pop("title", "Se déplacer demain")), **kwargs
    )  # type: ignore[arg-type]
    if statements is None:
        statements = ["Les bus devraient passer le dimanche.", "Il faut plus de pistes cyclables."]
    if statements:
        services.statements_add(activity=activity, text="\n".join(statements), by=None)
    if status != OpinionActivity.Status.DRAFT:
        activity.status = status
        activity.save(update_fields=["status"])
    return activity


_numbers = itertools.count()


def quick_users(n: int) -> list[User]:
    """People who vote, made at once (no password to hash: they never log in by form)."""
    return User.objects.bulk_create(
        User(email=f"votant{next(_numbers)}@exemple.fr", display_name="Votant", password="!")
        for _ in range(n)
    )


def planted_votes(activity: OpinionActivity, per_group: int = 10) -> dict[str, list[User]]:
    """Give the planted answers to the activity's statements (made with PLANTED_STATEMENTS),
    with one answer in ten flipped to pass so that the groups are not perfectly clean."""
    statements = list(activity.statements.filter(status=Statement.Status.ACCEPTED))
    people: dict[str, list[User]] = {}
    votes = []
    for group, answers in PLANTED.items():
        people[group] = quick_users(per_group)
        for i, user in enumerate(people[group]):
            for j, statement in enumerate(statements):
                value = answers[j]
                if (i + j) % 10 == 9:
                    value = 0
                votes.append(StatementVote(statement=statement, voter=user, value=value))
    StatementVote.objects.bulk_create(votes)
    return people

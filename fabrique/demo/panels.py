"""The demo's citizen panel: Chambéry's « about fifty inhabitants, selected to represent the
diversity of the population », drawn from a pool of volunteers.

The volunteers are invented (a seeded generator: the same ones at every load), skewed the
way volunteer pools usually are: older, more graduates, more from the central city. The
population shares are orders of magnitude for the demonstration, said as such.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.text import slugify

from fabrique.accounts.models import User
from fabrique.panels import services
from fabrique.panels.models import Category, Panel, Session, Volunteer
from fabrique.processes.models import Process
from fabrique.territories.models import Territory

SOURCE = "Ordres de grandeur pour la démonstration (inspirés du recensement de l'INSEE)"
CATEGORIES = [
    (Category.Kind.GENDER, "Genre", "Vous êtes :", "Pour un panel paritaire.",
     [("Femme", "52"), ("Homme", "48")]),
    (Category.Kind.AGE, "Tranche d'âge", "Quel âge avez-vous ?",
     "Pour que toutes les générations soient représentées.",
     [("16-29 ans", "21"), ("30-44 ans", "23"), ("45-59 ans", "24"), ("60-74 ans", "20"),
      ("75 ans et plus", "12")]),
    (Category.Kind.FREE, "Secteur", "Où habitez-vous ?",
     "Pour que chaque partie de l'agglomération soit représentée.",
     [("Chambéry", "42"), ("Couronne urbaine", "41"), ("Communes rurales et de montagne", "17")]),
    (Category.Kind.EDUCATION, "Diplôme", "Votre diplôme le plus élevé :",
     "Pour que le panel ne réunisse pas que des diplômés.",
     [("Aucun diplôme ou brevet", "26"), ("CAP ou BEP", "24"), ("Baccalauréat", "18"),
      ("Études supérieures", "32")]),
]  # fmt: skip
# How the volunteers' answers are skewed against the shares above (weights per value).
POOL_WEIGHTS = {
    "Genre": [55, 45],
    "Tranche d'âge": [10, 17, 26, 32, 15],
    "Secteur": [55, 35, 10],
    "Diplôme": [10, 17, 20, 53],
}
FIRST_NAMES = ["Camille", "Louis", "Chloé", "Hugo", "Inès", "Jules", "Léa", "Lucas", "Manon",
               "Nathan", "Sarah", "Théo", "Zoé", "Paul", "Julie", "Karim", "Lina", "Marc",
               "Nadia", "Pierre", "Rose", "Samir", "Yves", "Odile", "Bernard", "Fatou"]  # fmt: skip
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
              "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Roux",
              "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine"]  # fmt: skip
POOL_SIZE = 400
SEED = "Loto du 4 juillet : 7 12 25 33 41, numéro chance 5"


def load_demo_panel(*, chambery: Territory, staff: User | None) -> Panel | None:
    process = Process.objects.filter(
        territory=chambery, title="Fabrique du territoire 2030"
    ).first()
    if process is None:
        return None
    existing = Panel.objects.filter(process=process).first()
    if existing is not None:
        return existing
    phase = process.phases.filter(custom_kind="Panel citoyen").first()
    panel = services.panel_save(
        process=process,
        title="Panel citoyen 2030",
        size=50,
        tolerance=1,
        phase=phase,
        signup_open=True,
        description=(
            "Une cinquantaine d'habitants tirés au sort parmi les volontaires pour représenter "
            "la diversité de la population, impliqués tout au long de la démarche : une "
            "séance par mois, le samedi matin, avec des documents envoyés avant chaque séance."
        ),
    )
    for kind, label, question, why, values in CATEGORIES:
        services.category_add(
            panel=panel,
            kind=kind,
            label=label,
            question=question,
            why_asked=why,
            source=SOURCE,
            values=[services.ValueShare(v, Decimal(share)) for v, share in values],
        )
    _volunteers(panel)
    draw = services.seed_publish(panel=panel, seed=SEED, by=staff)
    services.draw_run(draw=draw)
    _answers(panel)
    _sessions(panel, phase_end=phase.end_date if phase else timezone.localdate())
    return panel


def _volunteers(panel: Panel) -> None:
    rng = random.Random(2030)
    categories = list(panel.categories.prefetch_related("values"))
    people = []
    for i in range(POOL_SIZE):
        answers = {}
        for category in categories:
            values = list(category.values.all())
            answers[category.pk] = rng.choices(values, weights=POOL_WEIGHTS[category.label])[0]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        people.append(
            services.VolunteerData(
                first_name=first,
                last_name=last,
                email=f"{slugify(first)}.{slugify(last)}.{i}@exemple.fr",
                answers=answers,
            )
        )
    services.volunteers_create(
        panel=panel, people=people, source=Volunteer.Source.SIGNUP, confirmed=True
    )


def _answers(panel: Panel) -> None:
    """Most drawn volunteers accepted; two declined (seats to fill again), one has not
    answered yet."""
    drawn = list(panel.volunteers.filter(status=Volunteer.Status.SELECTED).order_by("number"))
    now = timezone.now()
    for volunteer in drawn[:-3]:
        volunteer.status, volunteer.invited_at, volunteer.answered_at = "accepted", now, now
        volunteer.save(update_fields=["status", "invited_at", "answered_at"])
    for volunteer, reason in zip(drawn[-3:-1], ["Déménagement", "Indisponible le samedi"],
                                 strict=True):  # fmt: skip
        volunteer.invited_at = now
        volunteer.save(update_fields=["invited_at"])
        services.member_release(volunteer=volunteer, status=Volunteer.Status.DECLINED, note=reason)
    drawn[-1].invited_at = now
    drawn[-1].save(update_fields=["invited_at"])


def _sessions(panel: Panel, phase_end: object) -> None:
    today = timezone.localdate()
    members = list(panel.volunteers.filter(status=Volunteer.Status.ACCEPTED))
    plan = [
        (-60, "Séance d'accueil : se connaître, comprendre la démarche", members[:44]),
        (-30, "Séance 2 : le diagnostic du territoire", members[:39]),
        (10, "Séance 3 : les enjeux d'avenir", []),
    ]
    for days, title, present in plan:
        day = today + timedelta(days=days)
        session = Session.objects.create(
            panel=panel,
            title=title,
            starts_at=timezone.make_aware(datetime.combine(day, time(9, 30))),
            place="Hôtel de ville de Chambéry, salle des délibérations",
            description="Accueil café à 9 h 15. Fin à 12 h 30.",
        )
        session.attendees.set(present)

"""Demo workshops in Grand Chalon's process: one held (with its tables, what was said there
and its restitution), one full with a waiting list, one online with a live session open."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from fabrique.accounts.models import User
from fabrique.processes.models import Phase, Process, Theme
from fabrique.territories.models import Commune
from fabrique.workshops.models import Workshop
from fabrique.workshops.models.live import LivePoll
from fabrique.workshops.services import day, live, planning, registration

VISITORS = [
    "Lucie Martin", "Karim Benali", "Odile Perrin", "Marc Lefèvre", "Inès Moreau",
    "Paul Girard", "Sylvie Roux", "Théo Garnier", "Nadia Chevalier", "Hugo Blanc",
    "Chantal Faure", "Yannick Robin", "Amélie Gauthier", "Julien Masson",
]  # fmt: skip

# What was said at the tables of the workshop held in Givry.
CAPTURES = [
    (0, "idea", "Un parking vélo sécurisé à la gare de Givry",
     "Beaucoup viennent en voiture à la gare faute d'endroit sûr pour laisser le vélo.", "Martine"),
    (0, "idea", "Un transport à la demande le samedi matin",
     "Pour aller au marché de Chalon sans voiture, surtout pour les personnes âgées.", ""),
    (1, "question", "Quand la voie verte sera-t-elle prolongée jusqu'à Buxy ?",
     "Les habitants demandent un calendrier précis des travaux.", "Gérard"),
    (1, "testimony", "Les horaires de bus ne collent pas avec ceux du lycée",
     "Les lycéens attendent 40 minutes le soir à l'arrêt.", "Léa, 17 ans"),
    (2, "idea", "Covoiturage organisé entre les villages",
     "Une application ou un simple tableau en mairie pour se regrouper.", ""),
]  # fmt: skip


def _at(day_offset: int, hour: int) -> datetime:
    moment = timezone.localtime() + timedelta(days=day_offset)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def load_demo_workshops(*, staff: User, facilitator: User, inhabitant: User) -> None:
    process = Process.objects.get(slug="projet-de-territoire")
    if Workshop.objects.filter(process=process).exists():
        return
    phase = process.phases.get(kind="follow_up")
    communes = process.territory.communes.all()
    themes = list(process.themes.all())
    _held(process, phase, communes, themes, staff, facilitator, inhabitant)
    _full(process, phase, communes, themes, staff, facilitator)
    _online(process, phase, themes, staff, facilitator)


def _held(
    process: Process,
    phase: Phase,
    communes: QuerySet[Commune],
    themes: list[Theme],
    staff: User,
    facilitator: User,
    inhabitant: User,
) -> Workshop:
    workshop = planning.workshop_create(
        process=process,
        phase=phase,
        title="Se déplacer autrement dans le bassin de Givry",
        summary=(
            "Trois tables pour imaginer les mobilités du quotidien, "
            "sans voiture quand c'est possible."
        ),
        description="<p>Un atelier ouvert à tous, avec un café d'accueil. Les idées recueillies "
        "rejoignent celles de la plateforme.</p>",
        starts_at=_at(1, 18),
        ends_at=_at(1, 20),
        created_by=staff,
        format=Workshop.Format.IN_PERSON,
        commune=communes.get(insee_code="71221"),
        place_name="Salle des fêtes",
        address="Place de la Poste",
        latitude=Decimal("46.7795"),
        longitude=Decimal("4.7447"),
        capacity=30,
        accessibility="Salle de plain-pied, boucle magnétique, garderie sur inscription.",
        themes=themes[:1],
        facilitators=[facilitator],
    )
    planning.workshop_publish(workshop=workshop)
    people = [
        registration.registration_create(
            workshop=workshop, name=inhabitant.display_name, user=inhabitant, email=inhabitant.email
        )
    ]
    for i, name in enumerate(VISITORS[:10]):
        people.append(
            registration.registration_create(
                workshop=workshop, name=name, email=f"atelier{i}@exemple.fr", by=staff
            )
        )
    # The workshop then took place, ten days ago.
    planning.workshop_update(
        workshop=workshop, starts_at=_at(-10, 18), ends_at=_at(-10, 20), notify=False
    )
    for person in people[:9]:
        registration.registration_check_in(registration=person, by=facilitator)
    registration.registration_walk_in(workshop=workshop, name="Bernard Petit", by=facilitator)
    tables = [
        day.table_create(workshop=workshop, name=name, topic=topic, facilitator=facilitator)
        for name, topic in [
            ("Table 1", "Vélo et marche"),
            ("Table 2", "Bus et train"),
            ("Table 3", "Partager sa voiture"),
        ]
    ]
    for table_index, kind, title, body, said_by in CAPTURES:
        day.capture_submit(
            workshop=workshop, table=tables[table_index], captured_by=facilitator, kind=kind,
            title=title, body=body, themes=themes[:1], collected_for=said_by, consent=True,
        )  # fmt: skip
    day.restitution_publish(
        workshop=workshop,
        text=(
            "<p>Vingt personnes autour de trois tables, un jeudi soir à Givry. Ce qui revient "
            "le plus : pouvoir laisser son vélo en sécurité à la gare, et des bus dont les "
            "horaires suivent ceux des lycées et du marché.</p><p>Les cinq propositions "
            "ci-dessous rejoignent la plateforme ; la commission « Transition écologique » "
            "y répondra d'ici deux mois.</p>"
        ),
    )
    return workshop


def _full(
    process: Process,
    phase: Phase,
    communes: QuerySet[Commune],
    themes: list[Theme],
    staff: User,
    facilitator: User,
) -> Workshop:
    workshop = planning.workshop_create(
        process=process,
        phase=phase,
        title="L'eau en été : partager une ressource qui se raréfie",
        summary=(
            "Sécheresses, nappes, usages : ce que chacun peut faire, "
            "ce que la collectivité doit faire."
        ),
        starts_at=_at(5, 18),
        ends_at=_at(5, 20),
        created_by=staff,
        format=Workshop.Format.IN_PERSON,
        commune=communes.get(insee_code="71076"),
        place_name="Maison des syndicats",
        address="2 rue du Parc",
        latitude=Decimal("46.7846"),
        longitude=Decimal("4.8512"),
        capacity=12,
        accessibility="Accès de plain-pied ; interprétation en langue des signes sur demande.",
        themes=themes[:1],
        facilitators=[facilitator],
    )
    planning.workshop_publish(workshop=workshop)
    for i, name in enumerate(VISITORS[:14]):
        registration.registration_create(
            workshop=workshop, name=name, email=f"eau{i}@exemple.fr", by=staff
        )
    return workshop


def _online(
    process: Process, phase: Phase, themes: list[Theme], staff: User, facilitator: User
) -> Workshop:
    evening = 0 if timezone.localtime().hour < 20 else 1
    workshop = planning.workshop_create(
        process=process,
        phase=phase,
        title="Grand rendez-vous en ligne : le projet de territoire, deux ans après",
        summary="Une soirée en ligne, ouverte à tous : questions aux élus, sondages en direct.",
        starts_at=_at(evening, 20),
        ends_at=_at(evening, 22),
        created_by=staff,
        format=Workshop.Format.ONLINE,
        online_url="https://visio.grandchalon.demo/rendez-vous",
        capacity=None,
        themes=themes,
        facilitators=[facilitator],
    )
    planning.workshop_publish(workshop=workshop)
    session = live.session_create(workshop=workshop, created_by=facilitator)
    poll = live.poll_create(
        session=session,
        kind=LivePoll.Kind.SINGLE,
        prompt="Quel pilier du projet vous semble le plus urgent ?",
        options=[t.title for t in themes] or ["Transition écologique", "Solidarités"],
    )
    live.poll_create(
        session=session,
        kind=LivePoll.Kind.WORDCLOUD,
        prompt="En un mot, le Grand Chalon dans dix ans ?",
    )
    live.session_open(session=session)
    live.poll_open(poll=poll)
    return workshop

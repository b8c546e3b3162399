"""Three demo processes built from the real processes the platform serves.

Where a source does not say (names of people, the themes Orléans left as « etc. »), the demo
completes plausibly and says so in the text: every person named here is fictional.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from fabrique.processes import services
from fabrique.processes.models import (
    BodyMember,
    GovernanceBody,
    ParticipationMode,
    Phase,
    Process,
)
from fabrique.territories.models import Territory

M = ParticipationMode
K = Phase.Kind
B = GovernanceBody.Kind
R = BodyMember.Role

# Orléans Métropole named three of its eleven themes; the other eight are plausible completions.
ORLEANS_THEMES = [
    ("Rénovation énergétique", "energy", "#b3541e", True),
    ("Alimentation et agriculture durable", "food", "#5a7d1a", True),
    ("Mobilités", "mobility", "#1d5f8a", True),
    ("Biodiversité et nature en ville", "nature", "#2f6b3f", False),
    ("Eau", "water", "#1a6f80", False),
    ("Déchets et économie circulaire", "waste", "#6b5a1a", False),
    ("Énergies renouvelables", "energy", "#8a5a00", False),
    ("Consommation responsable", "economy", "#7a3e6d", False),
    ("Santé environnementale", "health", "#a3333d", False),
    ("Urbanisme et habitat durables", "housing", "#4b5563", False),
    ("Solidarités et transition juste", "solidarity", "#6d4c9a", False),
]

FIRST_NAMES = [
    "Nadia", "Julien", "Sophie", "Karim", "Élodie", "Thomas", "Amina", "Lucas", "Claire",
    "Mehdi", "Isabelle", "Paul", "Fatou", "Hugo", "Léa", "Yann", "Chloé", "Samir", "Anne",
    "Olivier", "Inès", "Marc", "Laura", "Bastien", "Camille", "Rachid", "Julie", "Pierre",
    "Sarah", "Antoine", "Manon", "David", "Lina",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre",
    "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard",
    "Andre", "Mercier", "Dupont", "Lambert", "Bonnet", "Francois", "Martinez", "Legrand",
    "Garnier", "Faure", "Rousseau", "Blanc", "Guerin", "Muller", "Henry",
]  # fmt: skip


def _person(index: int) -> str:
    return f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {LAST_NAMES[(index * 7) % len(LAST_NAMES)]}"


def load_demo_processes(*, chalon: Territory, orleans: Territory, chambery: Territory) -> None:
    if not Process.objects.filter(slug="assises-de-la-transition-ecologique").exists():
        _orleans(orleans)
    if not Process.objects.filter(slug="projet-de-territoire").exists():
        _chalon(chalon)
    if not Process.objects.filter(slug="fabrique-du-territoire-2030").exists():
        _chambery(chambery)


def _orleans(territory: Territory) -> None:
    process = services.process_save(
        territory=territory,
        title="Assises de la transition écologique",
        summary=(
            "Six mois d'échanges pour accélérer la transition écologique du territoire "
            "métropolitain et faire émerger des solutions concrètes avec les habitants, les "
            "acteurs locaux et les élus."
        ),
        presentation=(
            "<p>Les Assises se déroulent en trois phases autour de onze thématiques. À chaque "
            "étape, chacun peut déposer ses questions et ses idées sur la plateforme.</p>"
            "<p>Des ateliers numériques et en présentiel, 14 rencontres dans les communes "
            "(marchés, hypermarchés, associations), la <em>Compil des initiatives</em> et des "
            "ateliers collaboratifs produisent un portefeuille d'expérimentations, suivi "
            "ensuite par un comité mixte.</p>"
            "<p><em>Démonstration : la source nomme trois des onze thématiques ; les huit "
            "autres sont des compléments plausibles. Les personnes citées sont fictives.</em></p>"
        ),
        start_date=date(2021, 1, 4),
        end_date=date(2021, 7, 30),
    )
    services.phase_save(
        process=process,
        kind=K.LEARNING,
        title="Phase apprenante",
        description=(
            "Explorer les grands enjeux des onze thématiques lors d'ateliers ouverts au grand "
            "public, numériques et en présentiel, et de 14 ateliers dans les communes."
        ),
        start_date=date(2021, 1, 4),
        end_date=date(2021, 3, 14),
        modes=[M.WORKSHOPS, M.CONTRIBUTIONS],
    )
    services.phase_save(
        process=process,
        kind=K.SOLUTIONS,
        title="Construction des solutions",
        description=(
            "La Compil des initiatives cartographie les initiatives locales par un "
            "questionnaire ; la Recherche de solutions fait émerger un portefeuille "
            "d'expérimentations au fil d'ateliers numériques collaboratifs (jusqu'à 2 300 "
            "participants)."
        ),
        start_date=date(2021, 3, 15),
        end_date=date(2021, 5, 31),
        modes=[M.SURVEYS, M.WORKSHOPS, M.CONTRIBUTIONS],
    )
    services.phase_save(
        process=process,
        kind=K.RESTITUTION,
        title="Restitution",
        description=(
            "Séminaires de synthèse des travaux et présentation des solutions envisagées pour "
            "les années à venir."
        ),
        start_date=date(2021, 6, 1),
        end_date=date(2021, 7, 30),
        modes=[],
    )
    themes = []
    for title, icon, colour, named_by_source in ORLEANS_THEMES:
        themes.append(
            services.theme_save(
                process=process,
                title=title,
                icon=icon,
                colour=colour,
                description=(
                    f"Les enjeux de la thématique « {title} » pour la métropole."
                    + ("" if named_by_source else " (Thématique complétée pour la démonstration.)")
                ),
            )
        )
    services.resource_save(
        process=process,
        theme=themes[0],
        kind="link",
        title="France Rénov' : les aides à la rénovation énergétique",
        url="https://france-renov.gouv.fr/",
    )
    services.resource_save(
        process=process,
        theme=themes[2],
        kind="link",
        title="Plan de mobilité : qu'est-ce que c'est ?",
        url="https://www.ecologie.gouv.fr/",
    )
    steering = services.body_save(
        process=process,
        kind=B.STEERING_COMMITTEE,
        name="Comité de pilotage",
        mandate="Valide les choix stratégiques et garantit la dynamique de la démarche.",
    )
    for i, (role, office) in enumerate(
        [
            (R.CHAIR, "Président de la métropole"),
            (R.ELECTED, "Vice-présidente à la transition écologique"),
            (R.STAFF, "Directrice générale des services"),
            (R.STAFF, "Responsable du service Vie citoyenne"),
        ]
    ):
        services.member_save(body=steering, name=_person(i), role=role, organisation=office)
    for i, theme in enumerate(themes):
        triad = services.body_save(
            process=process, kind=B.TRIAD, name=f"Triade « {theme.title} »", theme=theme,
            mandate="Anime les phases de la thématique, assure les restitutions et garantit "
            "la participation.",
        )  # fmt: skip
        services.member_save(
            body=triad, name=_person(3 * i + 4), role=R.ELECTED, organisation="Élu métropolitain"
        )
        services.member_save(
            body=triad,
            name=_person(3 * i + 5),
            role=R.TECHNICAL_PILOT,
            organisation="Direction de la transition écologique",
        )
        services.member_save(
            body=triad,
            name=_person(3 * i + 6),
            role=R.CIVIL_SOCIETY,
            organisation="Association locale",
        )
    mixed = services.body_save(
        process=process,
        kind=B.FOLLOW_UP_COMMITTEE,
        name="Comité mixte de suivi",
        mandate=(
            "Né des ateliers sur la gouvernance « post-Assises » : suit et évalue les "
            "expérimentations choisies par les élus."
        ),
    )
    for i, role in enumerate([R.ELECTED, R.ELECTED, R.STAFF, R.STAFF, R.CITIZEN, R.CITIZEN]):
        services.member_save(body=mixed, name=_person(40 + i), role=role)
    services.meeting_save(
        body=steering,
        date=date(2021, 1, 12),
        title="Lancement des Assises",
        minutes="Le comité valide les onze thématiques, les triades et le calendrier.",
        minutes_published=True,
    )
    services.process_set_status(process=process, status=Process.Status.PUBLISHED)
    news = services.news_publish(
        process=process,
        author=None,
        title="800 propositions pour la transition",
        body="La réflexion collective a produit plus de 800 propositions d'actions à expérimenter.",
        send_email=False,
    )
    news.published_at = datetime(2021, 7, 15, 10, tzinfo=UTC)
    news.save(update_fields=["published_at"])
    services.process_set_status(process=process, status=Process.Status.CLOSED)


def _chalon(territory: Territory) -> None:
    today = timezone.localdate()
    end = date(max(today.year + 2, 2028), 12, 31)
    process = services.process_save(
        territory=territory,
        title="Projet de territoire",
        summary=(
            "Sept mois de travail avec 450 élus municipaux pour bâtir le projet du Grand "
            "Chalon : 4 piliers, 7 orientations stratégiques, 230 projets et un schéma de "
            "gouvernance — et maintenant, le faire vivre."
        ),
        presentation=(
            "<p>Un projet de territoire, moteur d'une volonté de (mieux) faire ensemble, "
            "construit avec les élus des 51 communes et territorialisé dans six bassins de "
            "vie.</p><p><em>Démonstration : les personnes citées sont fictives.</em></p>"
        ),
        start_date=date(2022, 3, 1),
        end_date=end,
    )
    steps = [
        (K.DIAGNOSTIC, "Faire un état des lieux", date(2022, 3, 1), date(2022, 4, 15), []),
        (K.LEARNING, "Transmettre le bon niveau d'information", date(2022, 4, 16),
         date(2022, 5, 31), [M.WORKSHOPS]),
        (K.REFLECTION, "Faire des propositions", date(2022, 6, 1), date(2022, 8, 15),
         [M.CONTRIBUTIONS, M.WORKSHOPS]),
        (K.DECISION, "Choisir et adopter", date(2022, 8, 16), date(2022, 9, 30), [M.VOTES]),
        (K.FOLLOW_UP, "Faire vivre le projet de territoire", date(2022, 10, 1), end,
         [M.CONTRIBUTIONS, M.WORKSHOPS]),
    ]  # fmt: skip
    for kind, title, start, stop, modes in steps:
        services.phase_save(
            process=process, kind=kind, title=title, start_date=start, end_date=stop, modes=modes
        )
    pillars = [
        ("Transition écologique", "nature", "#2f6b3f"),
        ("Solidarités", "solidarity", "#6d4c9a"),
        ("Attractivité", "economy", "#b3541e"),
        ("Vivre l'intercommunalité", "governance", "#1d5f8a"),
    ]
    for i, (title, icon, colour) in enumerate(pillars):
        theme = services.theme_save(
            process=process,
            title=title,
            icon=icon,
            colour=colour,
            description=f"Le pilier « {title} » du projet de territoire.",
        )
        commission = services.body_save(
            process=process,
            kind=B.COMMISSION,
            name=f"Commission « {title} »",
            theme=theme,
            mandate="Fait vivre les orientations du pilier et suit ses projets.",
        )
        services.member_save(
            body=commission, name=_person(60 + i), role=R.CHAIR, organisation="Vice-président"
        )
        services.member_save(body=commission, name=_person(70 + i), role=R.ELECTED)
    group = services.body_save(
        process=process,
        kind=B.GOVERNANCE_GROUP,
        name="Groupe « Gouvernance »",
        mandate="Veille au schéma de gouvernance et à la territorialisation par bassin de vie.",
    )
    for i in range(3):
        services.member_save(body=group, name=_person(80 + i), role=R.ELECTED)
    services.process_set_status(process=process, status=Process.Status.PUBLISHED)
    services.news_publish(
        process=process,
        author=None,
        title="Université d'été : cinq ateliers de co-construction",
        body=(
            "Une conférence et cinq ateliers thématiques pour faire vivre le projet de territoire."
        ),
        send_email=False,
    )


def _chambery(territory: Territory) -> None:
    today = timezone.localdate()
    # The roadmap is dated around today so that its « collective reflection » is open.
    launch = today - timedelta(days=150)
    process = services.process_save(
        territory=territory,
        title="Fabrique du territoire 2030",
        summary=(
            "Comment vivrons-nous en 2030 ? Une invitation à toute l'agglomération pour "
            "construire une vision partagée, avec un panel citoyen d'une cinquantaine "
            "d'habitants."
        ),
        presentation=(
            "<p>L'agglomération, ce n'est pas seulement les élus et les experts, mais tous ceux "
            "qui vivent le territoire chaque jour : acteurs socio-professionnels et économiques, "
            "habitants, notamment les jeunes.</p><p>Chaque mois, un enjeu d'avenir est mis en "
            "avant pour engager la réflexion.</p>"
        ),
        start_date=launch,
        end_date=launch + timedelta(days=900),
    )
    steps = [
        (K.LAUNCH, "Lancement de la démarche", 0, 0, []),
        (K.OTHER, "Constitution du panel citoyen", 1, 20, [M.PANEL]),
        (K.DIAGNOSTIC, "Le temps du diagnostic", 21, 90, [M.SURVEYS, M.CONTRIBUTIONS]),
        (K.REFLECTION, "Le temps de la réflexion collective", 91, 330,
         [M.CONTRIBUTIONS, M.WORKSHOPS, M.PANEL]),
        (K.DECISION, "L'élaboration du projet", 331, 540, [M.VOTES, M.PANEL]),
        (K.RESTITUTION, "Le projet d'agglomération est fabriqué", 541, 560, []),
        (K.FOLLOW_UP, "Et après…", 561, 900, [M.CONTRIBUTIONS]),
    ]  # fmt: skip
    for kind, title, first, last, modes in steps:
        services.phase_save(
            process=process,
            kind=kind,
            custom_kind="Panel citoyen" if kind == K.OTHER else "",
            title=title,
            start_date=launch + timedelta(days=first),
            end_date=launch + timedelta(days=last),
            modes=modes,
        )
    enjeux = [
        ("Nouveau monde", "governance", "#4b5563"),
        ("Entreprises 2.0", "economy", "#b3541e"),
        ("Tous connectés !", "mobility", "#1d5f8a"),
        ("Territoire durable", "nature", "#2f6b3f"),
        ("Métropole ouverte", "culture", "#7a3e6d"),
        ("Vivre ensemble", "solidarity", "#6d4c9a"),
        ("Bien vieillir", "health", "#a3333d"),
    ]
    month_start = today.replace(day=1)
    for i, (title, icon, colour) in enumerate(enjeux):
        theme = services.theme_save(
            process=process, title=title, icon=icon, colour=colour,
            description=f"Enjeu d'avenir pour l'agglomération : {title}.",
        )  # fmt: skip
        start = _add_months(month_start, i - 1)
        services.spotlight_save(
            theme=theme,
            title=f"Enjeu du mois : {title}",
            start_date=start,
            end_date=_add_months(start, 1) - timedelta(days=1),
            description="Partagez vos idées sur cet enjeu tout au long du mois.",
        )
    panel = services.body_save(
        process=process,
        kind=B.OTHER,
        name="Panel citoyen",
        mandate=(
            "Une cinquantaine d'habitants tirés au sort pour représenter la diversité de la "
            "population, impliqués tout au long de la démarche."
        ),
    )
    services.member_save(body=panel, name="Les 50 panélistes", role=R.CITIZEN)
    services.process_set_status(process=process, status=Process.Status.PUBLISHED)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1, day=1)

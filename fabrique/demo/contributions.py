"""Demo contributions on Grand Chalon's project, so that lists, map and answers show something.

Every person and every contribution here is fictional.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from allauth.account.models import EmailAddress

from fabrique.accounts.models import ActorKind, EmailNotifications, User
from fabrique.participation import services
from fabrique.participation.models import Contribution
from fabrique.processes.models import Process
from fabrique.territories.models import Territory

# The frames of the demo territories' maps (south, west, north, east).
MAP_FRAMES = {
    "247100589": ("46.60", "4.55", "47.00", "5.10"),
    "244500468": ("47.78", "1.70", "48.05", "2.15"),
    "200069110": ("45.45", "5.75", "45.80", "6.20"),
}

IDEAS = [
    ("idea", "Des pistes cyclables entre Saint-Rémy et Chalon",
     "Relier les communes du centre urbain par des pistes séparées de la route, "
     "pour aller au travail ou au lycée à vélo en sécurité.", "71475", ("46.7640", "4.8340")),
    ("idea", "Un marché de producteurs le samedi à Givry",
     "Les producteurs de la Côte chalonnaise vendraient en direct, une fois par semaine.",
     "71221", ("46.7800", "4.7440")),
    ("question", "Quand le bus passera-t-il le dimanche à Épervans ?",
     "Sans voiture, impossible de rejoindre Chalon le dimanche.", "71189", None),
    ("testimony", "Les inondations de la Saône en 2024",
     "Notre rue a été inondée deux fois ; il faudrait en tenir compte dans les projets.",
     "71502", ("46.8250", "4.9040")),
    ("idea", "Rénover les écoles pour moins chauffer",
     "Isoler les écoles de la Vallée de la Dheune : économies et confort pour les enfants.",
     "71442", None),
    ("idea", "Une ressourcerie intercommunale",
     "Réparer et revendre les objets plutôt que de les jeter.", "71076", ("46.7810", "4.8540")),
    ("question", "Comment participer si l'on n'a pas internet ?",
     "Ma mère n'a pas d'ordinateur : où peut-elle donner son avis ?", "71118", None),
    ("idea", "Des jardins partagés dans les quartiers",
     "Des parcelles cultivées ensemble, avec l'aide des associations.", "71445",
     ("46.7760", "4.8950")),
]  # fmt: skip


def _person(email: str, name: str, commune_code: str, territory: Territory) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"display_name": name})
    if created:
        user.set_unusable_password()
        user.actor_kind = ActorKind.INHABITANT
        # Demo people read their notifications on the site: the demo e-mails nobody.
        user.email_notifications = EmailNotifications.DAILY
        user.commune = territory.communes.filter(insee_code=commune_code).first()
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def load_demo_contributions(*, chalon: Territory, staff: User, facilitator: User) -> None:
    for code, frame in MAP_FRAMES.items():
        Territory.objects.filter(official_code=code).update(
            map_south=Decimal(frame[0]), map_west=Decimal(frame[1]),
            map_north=Decimal(frame[2]), map_east=Decimal(frame[3]),
        )  # fmt: skip
    chalon.refresh_from_db()
    process = Process.objects.get(slug="projet-de-territoire")
    if Contribution.objects.filter(process=process).exists():
        return
    people = [
        _person(f"habitant{i}@grandchalon.demo", name, code, chalon)
        for i, (name, code) in enumerate(
            [("Lucie", "71475"), ("Karim", "71221"), ("Odile", "71189"), ("Marc", "71502"),
             ("Inès", "71442"), ("Paul", "71076"), ("Sylvie", "71118"), ("Théo", "71445")]
        )
    ]  # fmt: skip
    themes = list(process.themes.all())
    created = []
    for i, (kind, title, body, code, point) in enumerate(IDEAS):
        created.append(
            services.contribution_submit(
                process=process,
                author=people[i],
                kind=kind,
                title=title,
                body=body,
                themes=[themes[i % len(themes)]],
                commune=chalon.communes.get(insee_code=code),
                latitude=Decimal(point[0]) if point else None,
                longitude=Decimal(point[1]) if point else None,
            )
        )
    for contribution in created[:5]:
        for supporter in people[: len(contribution.title) % 7 + 1]:
            if supporter.pk != contribution.author_id:
                services.support_toggle(contribution=contribution, user=supporter, support=True)
    first = services.comment_post(
        contribution=created[0], author=people[3], body="Oui ! Et des arceaux à la gare."
    )
    services.comment_post(
        contribution=created[0], author=people[0], body="Bonne idée, je l'ajoute.", parent=first
    )
    services.contribution_answer(
        contribution=created[6],
        by=staff,
        status="done",
        answer=(
            "Des permanences ont lieu chaque samedi dans les mairies, et les animateurs "
            "recueillent les avis sur les marchés."
        ),
    )
    services.contribution_answer(
        contribution=created[0],
        by=staff,
        status="under_study",
        answer="Le tracé est étudié avec les communes concernées ; réponse au printemps.",
    )
    services.contribution_submit(
        process=process,
        author=facilitator,
        kind="idea",
        title="Plus de bancs au centre-bourg",
        body="Pour les personnes âgées qui font leurs courses à pied.",
        commune=chalon.communes.get(insee_code="71445"),
        collected_by=facilitator,
        collected_place="Marché de Saint-Marcel",
        collected_on=date(2026, 10, 3),
        collected_for="Josette, 82 ans",
        consent=True,
    )

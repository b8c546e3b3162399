from __future__ import annotations

from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from fabrique.accounts.models import ActorKind, Role, User
from fabrique.accounts.services import role_grant
from fabrique.demo.contributions import load_demo_contributions
from fabrique.demo.panels import load_demo_panel
from fabrique.demo.processes import load_demo_processes
from fabrique.demo.synthesis import load_demo_synthesis
from fabrique.demo.workshops import load_demo_workshops
from fabrique.territories.models import BasinGrouping, Territory
from fabrique.territories.services import basins_import_csv, territory_import
from fabrique.workshops.models.live import LiveSession

DATA = Path(__file__).resolve().parent.parent.parent / "data"
DEMO_PASSWORD = "demo-fabrique-2026"

# (e-mail, display name, role, actor kind, commune INSEE code)
DEMO_PEOPLE = [
    ("admin@fabrique.demo", "Camille Operateur", Role.PLATFORM_ADMIN, "", ""),
    ("agent@grandchalon.demo", "Claire Agent", Role.TERRITORY_ADMIN, ActorKind.STAFF, "71076"),
    ("moderation@grandchalon.demo", "Malik Moderateur", Role.MODERATOR, ActorKind.STAFF, "71076"),
    ("animation@grandchalon.demo", "Anne Animatrice", Role.FACILITATOR, ActorKind.STAFF, "71221"),
    ("elu@grandchalon.demo", "Étienne Élu", Role.BODY_MEMBER, ActorKind.ELECTED, "71445"),
    ("habitant@grandchalon.demo", "Hugo Habitant", None, ActorKind.INHABITANT, "71378"),
]
# Grand Chambéry's staff, who run its citizen panel.
CHAMBERY_PEOPLE = [
    ("agent@grandchambery.demo", "Jeanne Agent", Role.TERRITORY_ADMIN, ActorKind.STAFF, "73065"),
]


class Command(BaseCommand):
    help = "Load the demo territories and accounts (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        # The e-mails the demo's story would send (confirmations, restitution) stay unsent.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
            transaction.atomic(),
        ):
            # Grand Chalon first: the first territory is the one shown by default.
            chalon = territory_import(code="247100589").territory
            orleans = territory_import(code="244500468").territory
            chambery = territory_import(code="200069110").territory
            grouping, _ = BasinGrouping.objects.get_or_create(
                territory=chalon,
                name="Bassins de vie",
                defaults={"description": "Les six bassins de vie du projet de territoire."},
            )
            report = basins_import_csv(
                grouping=grouping, content=(DATA / "grand_chalon_basins.csv").read_bytes()
            )
            if not report.ok:
                raise RuntimeError("; ".join(report.errors))
            for email, name, role, actor_kind, commune_code in DEMO_PEOPLE:
                self._person(chalon, email, name, role, actor_kind, commune_code)
            for email, name, role, actor_kind, commune_code in CHAMBERY_PEOPLE:
                self._person(chambery, email, name, role, actor_kind, commune_code)
            load_demo_processes(chalon=chalon, orleans=orleans, chambery=chambery)
            load_demo_panel(
                chambery=chambery, staff=User.objects.get(email="agent@grandchambery.demo")
            )
            load_demo_contributions(
                chalon=chalon,
                staff=User.objects.get(email="agent@grandchalon.demo"),
                facilitator=User.objects.get(email="animation@grandchalon.demo"),
            )
            load_demo_workshops(
                staff=User.objects.get(email="agent@grandchalon.demo"),
                facilitator=User.objects.get(email="animation@grandchalon.demo"),
                inhabitant=User.objects.get(email="habitant@grandchalon.demo"),
            )
            load_demo_synthesis(
                staff=User.objects.get(email="agent@grandchalon.demo"),
                moderator_waiting_for=User.objects.get(email="habitant1@grandchalon.demo"),
            )
        self.stdout.write(
            self.style.SUCCESS("Demo loaded: " + ", ".join(t.name for t in Territory.objects.all()))
        )
        session = LiveSession.objects.filter(status=LiveSession.Status.OPEN).first()
        if session is not None:
            self.stdout.write(
                f"Live session open: code {session.code} at /direct/{session.code}/ "
                f"({session.workshop.title})"
            )

    def _person(
        self,
        territory: Territory,
        email: str,
        name: str,
        role: Role | None,
        actor_kind: str,
        commune_code: str,
    ) -> None:
        user, created = User.objects.get_or_create(email=email, defaults={"display_name": name})
        if created:
            user.set_password(DEMO_PASSWORD)
        user.actor_kind = actor_kind
        user.commune = territory.communes.filter(insee_code=commune_code).first()
        if role == Role.PLATFORM_ADMIN:
            user.is_staff = user.is_superuser = True
        user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if role is not None:
            role_grant(
                user=user,
                role=role,
                territory=None if role == Role.PLATFORM_ADMIN else territory,
                granted_by=None,
            )

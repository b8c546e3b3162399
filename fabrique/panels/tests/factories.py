"""Panels for tests: a published process whose current phase constitutes a panel."""

from __future__ import annotations

from decimal import Decimal

from fabrique.panels import services
from fabrique.panels.models import Category, Panel, Volunteer
from fabrique.processes.models import ParticipationMode, Process
from fabrique.processes.tests.factories import published_process_open_for
from fabrique.territories.tests.factories import CommuneFactory


def panel_process(**kwargs) -> Process:
    """A published process whose current phase opens the panel mode."""
    return published_process_open_for(
        ParticipationMode.PANEL, title="Constitution du panel", **kwargs
    )


def make_panel(size: int = 4, tolerance: int = 0, **kwargs) -> Panel:
    """A panel with a « Genre » category (two halves) and an « Âge » category (16–34 for a
    quarter, 35 and over for the rest), sign-up open."""
    process = kwargs.pop("process", None) or panel_process()
    panel = services.panel_save(
        process=process,
        title=kwargs.pop("title", "Panel citoyen"),
        size=size,
        tolerance=tolerance,
        phase=process.phases.first(),
        signup_open=True,
        **kwargs,
    )
    services.category_add(
        panel=panel,
        kind=Category.Kind.GENDER,
        label="Genre",
        why_asked="Pour la parité.",
        values=[
            services.ValueShare("Femme", Decimal(50)),
            services.ValueShare("Homme", Decimal(50)),
        ],
    )
    services.category_add(
        panel=panel,
        kind=Category.Kind.AGE,
        label="Âge",
        why_asked="Pour toutes les générations.",
        values=[services.ValueShare("16-34", Decimal(25)), services.ValueShare("35+", Decimal(75))],
    )
    return panel


def add_volunteers(
    panel: Panel, people: list[tuple[str, str]], confirmed: bool = True
) -> list[Volunteer]:
    """Volunteers with the given (genre, âge) values, in order."""
    values = {
        (value.category.label, value.label): value
        for category in panel.categories.all()
        for value in category.values.select_related("category")
    }
    commune = None
    if any(c.from_territory for c in panel.categories.all()):
        commune = panel.process.territory.communes.first() or CommuneFactory()
    start = panel.volunteers.count()
    data = [
        services.VolunteerData(
            first_name=f"Prénom{start + i}",
            last_name=f"Nom{start + i}",
            email=f"volontaire{start + i}@example.org",
            commune=commune,
            answers={
                values[("Genre", gender)].category_id: values[("Genre", gender)],
                values[("Âge", age)].category_id: values[("Âge", age)],
            },
        )
        for i, (gender, age) in enumerate(people)
    ]
    return services.volunteers_create(
        panel=panel, people=data, source=Volunteer.Source.IMPORT, confirmed=confirmed
    )

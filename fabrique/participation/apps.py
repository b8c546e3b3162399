from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "fabrique.participation"
    label = "participation"
    verbose_name = _("Participation")

    def ready(self) -> None:
        from . import signals  # noqa: F401  # connects the personal-data receiver

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PanelsConfig(AppConfig):
    name = "fabrique.panels"
    label = "panels"
    verbose_name = _("Citizen panels")

    def ready(self) -> None:
        from . import signals  # noqa: F401  # connects the personal-data receivers

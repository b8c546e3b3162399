from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopsConfig(AppConfig):
    name = "fabrique.workshops"
    label = "workshops"
    verbose_name = _("Workshops")

    def ready(self) -> None:
        from . import signals  # noqa: F401  # connects the personal-data receivers

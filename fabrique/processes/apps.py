from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessesConfig(AppConfig):
    name = "fabrique.processes"
    label = "processes"
    verbose_name = _("Processes")

    def ready(self) -> None:
        from . import signals  # noqa: F401  # connects the personal-data receiver

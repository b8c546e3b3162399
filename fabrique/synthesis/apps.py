from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SynthesisConfig(AppConfig):
    name = "fabrique.synthesis"
    label = "synthesis"
    verbose_name = _("Synthesis")

    def ready(self) -> None:
        from . import signals  # noqa: F401  # connects the personal-data receiver

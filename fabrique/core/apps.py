from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "fabrique.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import db  # noqa: F401  # registers SQL functions on the embedded database

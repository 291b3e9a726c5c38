from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PairingsConfig(AppConfig):
    name = "pairings"
    verbose_name = _("Paired cadres")

    def ready(self) -> None:
        from pairings.hub_sources import register_sources

        register_sources()

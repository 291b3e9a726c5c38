from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevelopmentConfig(AppConfig):
    name = "development"
    verbose_name = _("Household development")

    def ready(self) -> None:
        from development.hub_sources import register_sources
        from development.hub_sources_capacity import register_sources as register_capacity

        register_sources()
        register_capacity()

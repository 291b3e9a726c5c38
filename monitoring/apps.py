from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        from monitoring.evidence_owners import register_owners

        register_owners()

        from monitoring.hub_sources import register_sources

        register_sources()

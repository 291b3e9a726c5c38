from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "assistance"
    verbose_name = _("Assistance")

    def ready(self) -> None:
        from assistance.messages import register_messages

        register_messages()

        from assistance.evidence_owners import register_owners

        register_owners()

        from assistance.hub_sources import register_sources

        register_sources()

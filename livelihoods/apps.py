from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LivelihoodsConfig(AppConfig):
    name = "livelihoods"
    verbose_name = _("Work, industry and credit")

    def ready(self) -> None:
        from livelihoods.hub_sources import register_sources
        from livelihoods.hub_sources_credit import register_sources as register_credit
        from livelihoods.measure_links import register_links

        register_sources()
        register_credit()
        register_links()

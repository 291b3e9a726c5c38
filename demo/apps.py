from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo county of `make run` (seed_demo): fake households, never production data."""

    name = "demo"
    verbose_name = _("Demo county")

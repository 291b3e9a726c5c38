from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the system: health, metrics, backup and restore, the embedded PostgreSQL."""

    name = "ops"
    verbose_name = _("Operations")

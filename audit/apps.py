from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from audit import checks, triggers  # noqa: F401  (the check registers itself)

        triggers.protect_audit_tables()
        post_migrate.connect(triggers.install_attach_context, sender=self)

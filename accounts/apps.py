from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts.third_party import translate_labels
        from core.idle_session import stamp_at_login

        translate_labels()
        user_logged_in.connect(stamp_at_login, dispatch_uid="core.idle_session.stamp_at_login")

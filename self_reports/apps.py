from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelfReportsConfig(AppConfig):
    name = "self_reports"
    verbose_name = _("Households' own reports")

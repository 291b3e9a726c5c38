"""Outcomes are read from the records of the apps below (cases, visits, measures, work records):
nothing is stored. The one model holds the permission to read them; it has no table."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutcomesAccess(models.Model):
    """No rows: the holder of `outcomes.view_outcomes` (the page, the case block and the API)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_outcomes", _("Can see the outcomes of assistance"))]
        verbose_name = _("outcomes of assistance")
        verbose_name_plural = _("outcomes of assistance")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

"""The livelihoods API: one module a subject."""

from decimal import Decimal

from rest_framework import serializers


def money_field(**kwargs) -> serializers.DecimalField:
    """An amount in yuan, zero or more, as every money field of the livelihoods API."""
    return serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal(0), **kwargs)

"""The session's rows put back by COPY (tests/fast_restore.py) are Django's serialized copy
exactly: what a changed, deleted or added row left behind is gone, ids and all."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection

from households.models import Region

pytestmark = pytest.mark.django_db


def test_the_restore_brings_back_exactly_the_serialized_rows():
    contents = connection._test_serialized_contents
    village = Region.objects.filter(level=Region.Level.VILLAGE).order_by("code").first()
    Region.objects.filter(pk=village.pk).update(name="改过的村")
    Permission.objects.order_by("pk").first().delete()
    Region.objects.create(code="620423999999", name="多出来的村", level=Region.Level.VILLAGE)
    assert connection.creation.serialize_db_to_string() != contents

    connection.creation.deserialize_db_from_string(contents)

    assert connection.creation.serialize_db_to_string() == contents
    assert Region.objects.get(pk=village.pk).name == village.name


def test_a_copy_other_than_the_sessions_is_loaded_the_django_way():
    village = Region.objects.filter(level=Region.Level.VILLAGE).order_by("code").first()
    Region.objects.filter(pk=village.pk).update(name="改过的村")
    from django.core import serializers

    one_row = serializers.serialize("json", [village])

    connection.creation.deserialize_db_from_string(one_row)

    assert Region.objects.get(pk=village.pk).name == village.name

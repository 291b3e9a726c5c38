"""The session's rows put back by COPY (tests/fast_restore.py) are Django's serialized copy
exactly: what a changed, deleted or added row left behind is gone, ids and all."""

import pytest
from django.contrib.auth.models import Permission
from django.core import serializers
from django.db import connection

from accounts.models import Role, User
from households.models import Region

pytestmark = pytest.mark.django_db


def _first_village() -> Region:
    return Region.objects.filter(level=Region.Level.VILLAGE).order_by("code").first()


def _replication_role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        return cursor.fetchone()[0]


def test_the_restore_brings_back_exactly_the_session_rows_and_nothing_else():
    contents = connection._test_serialized_contents
    village = _first_village()
    Region.objects.filter(pk=village.pk).update(name="改过的村")
    Permission.objects.order_by("pk").first().delete()
    Region.objects.create(code="620423999999", name="多出来的村", level=Region.Level.VILLAGE)
    User.objects.create_user(username="left_behind", role=Role.VILLAGE_WORKER)
    assert connection.creation.serialize_db_to_string() != contents

    connection.creation.deserialize_db_from_string(contents)

    assert connection.creation.serialize_db_to_string() == contents
    assert Region.objects.get(pk=village.pk).name == village.name
    assert not User.objects.exists()
    # The triggers are on again for whatever the transaction does next.
    assert _replication_role() == "origin"


def test_a_copy_other_than_the_sessions_is_loaded_the_django_way():
    village = _first_village()
    Region.objects.create(code="620423999999", name="多出来的村", level=Region.Level.VILLAGE)
    village.name = "另一份里的村名"
    one_row = serializers.serialize("json", [village])

    connection.creation.deserialize_db_from_string(one_row)

    assert Region.objects.get(pk=village.pk).name == "另一份里的村名"
    assert Region.objects.filter(code="620423999999").exists()  # Django's load deletes nothing

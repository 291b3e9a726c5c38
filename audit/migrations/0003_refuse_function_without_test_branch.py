from django.db import migrations

from audit import triggers


class Migration(migrations.Migration):
    """The production function refuses every rewrite, superuser or not, in any database: the
    test suite installs what its own database needs itself (tests/conftest.py)."""

    dependencies = [("audit", "0002_refuse_function_test_databases")]

    operations = [
        migrations.RunSQL(triggers.REFUSE_FUNCTION_SQL, triggers.REFUSE_FUNCTION_V2_SQL),
    ]

"""The migrated template's key (tests/migrated_template.py) follows what a migration could read:
a change there means a new `migrate`, a change to a test does not."""

from tests import migrated_template


def test_the_key_follows_the_source_and_the_lock_file_not_the_tests(tmp_path, monkeypatch):
    migration = tmp_path / "households" / "migrations" / "0001_initial.py"
    migration.parent.mkdir(parents=True)
    migration.write_text("operations = []\n")
    test = tmp_path / "tests" / "test_households.py"
    test.parent.mkdir()
    test.write_text("def test_a(): pass\n")
    lock = tmp_path / "uv.lock"
    lock.write_text('name = "django-pghistory"\nversion = "3.9.2"\n')
    monkeypatch.setattr(migrated_template, "BASE_DIR", tmp_path)

    def key() -> str:
        return migrated_template.source_key.__wrapped__()  # past the per-process cache

    first = key()
    test.write_text("def test_b(): pass\n")
    assert key() == first
    migration.write_text("operations = ['a change']\n")
    second = key()
    assert second != first
    lock.write_text('name = "django-pghistory"\nversion = "3.9.3"\n')
    assert key() not in (first, second)
    assert migrated_template.template_name().startswith(migrated_template.PREFIX)

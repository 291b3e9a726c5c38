"""django-import-export resources that read the registry template into households and members.

The library does the row work: cleaning each cell through a widget, finding the existing record
(all of a file's in one query, `ArrayInstanceLoader`), skipping rows that change nothing, and
writing in bulk. What is the registry's own comes from the registry (households/registry_rules.py),
the same rules its pages and API go through, asked for a whole file at once: the exit-year rule,
one active head, one person in one household, ID numbers stored encrypted. The region scope is
added here.

The library's row diff (`skip_diff = False`) deep-copies every instance and renders every field
of it twice, only so that `skip_row` can compare; nothing here shows a diff, so the resources
skip it and compare the stored values of the imported fields themselves.
"""

import pgbulk
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader, ModelInstanceLoader

from core.arrays import any_of
from core.id_numbers import IdNumber
from households import evaluation_requests, registry_rules
from households.models import Household, LifeEvent, Member, Region
from spreadsheets.columns import BY_KEY
from spreadsheets.widgets import ChoiceWidget, TextWidget, VillageWidget, YearWidget, YesNoWidget

BATCH = 1000
HOUSEHOLD_FAILED = "household-failed"


class ArrayInstanceLoader(CachedInstanceLoader):
    """The library's CachedInstanceLoader (every stored record the file names, read in one
    query), with the file's keys sent as one array (core.arrays): a file's 20,000 ID number
    hashes written as an IN list made a statement of 1.4 MB."""

    def __init__(self, resource, dataset=None):
        ModelInstanceLoader.__init__(self, resource, dataset)
        key = self.resource.get_import_id_fields()[0]
        self.pk_field = self.resource.fields[key]
        self.all_instances = {}
        rows = self.dataset.dict  # built anew at each access: a file's rows copied into dicts
        if rows and self.pk_field.column_name in rows[0]:
            keys = [self.pk_field.clean(row) for row in rows]
            model = self.resource._meta.model
            found = self.get_queryset().filter(any_of(model, self.pk_field.attribute, keys))
            self.all_instances = {self.pk_field.get_value(record): record for record in found}


def _always_valid(widget) -> bool:
    return isinstance(widget, YesNoWidget) or (
        isinstance(widget, ChoiceWidget) and widget.default in widget.choices.values
    )


def _field(key: str, attribute: str | None = None, widget=None) -> fields.Field:
    return fields.Field(attribute=attribute or key, column_name=key, widget=widget)


class RegistryResource(resources.ModelResource):
    """What both resources share: bulk writes, unchanged rows skipped, cleaning without queries."""

    # Model fields whose checks need the database; the resource checks them in bulk instead.
    NOT_CLEANED: tuple[str, ...] = ()

    def __init__(self):
        super().__init__()
        self.progress = None  # told of every row handled (spreadsheets.services.Progress)
        self._import_fields = None
        self._compared: list[str] = []
        self._not_cleaned: list[str] = []
        # By primary key, the imported fields' values as the database held them.
        self._stored: dict[int, tuple] = {}

    def import_row(self, row, instance_loader, **kwargs):
        result = super().import_row(row, instance_loader, **kwargs)
        if self.progress is not None:
            self.progress.advance()
        return result

    def get_import_fields(self):
        # The library works this list out again for every row (several times); the fields are
        # fixed once __init__ has run.
        if self._import_fields is None:
            self._import_fields = super().get_import_fields()
            model_fields = self._meta.model._meta
            written = [field.attribute for field in self._import_fields if field.attribute]
            self._compared = [model_fields.get_field(name).attname for name in written]
            # The fields no column writes hold their defaults or what the registry stored, and
            # are not checked again: they were most of full_clean's work on a household row.
            self._not_cleaned = [
                field.name for field in model_fields.concrete_fields if field.name not in written
            ]
            # Nor the fields whose widget gives only a value of the model's own choices or a
            # yes or no, never a blank: full_clean would check each against its choices again.
            self._not_cleaned += [
                field.attribute for field in self._import_fields if _always_valid(field.widget)
            ]
        return self._import_fields

    def _values(self, instance) -> tuple:
        self.get_import_fields()
        return tuple(getattr(instance, attname) for attname in self._compared)

    def get_or_init_instance(self, instance_loader, row):
        instance, new = super().get_or_init_instance(instance_loader, row)
        if not new:
            self._stored[instance.pk] = self._values(instance)
        return instance, new

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """A stored row whose imported fields all equal what the file says (`original` is None:
        see the module's docstring)."""
        if import_validation_errors or instance.pk is None:
            return False
        return self._values(instance) == self._stored.get(instance.pk)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        self.get_import_fields()
        try:
            instance.full_clean(
                exclude=[*errors, *self.NOT_CLEANED, *self._not_cleaned],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        errors = self.check_rules(instance, errors)
        if errors:
            raise ValidationError(errors)

    def check_rules(self, instance, errors: dict) -> dict:
        return errors

    def before_save_instance(self, instance, row, **kwargs):
        # An edit by import is an edit like any other: open forms on the old version go stale.
        if instance.pk:
            instance.version += 1
            instance.updated_at = timezone.now()

    def get_bulk_update_fields(self):
        return [*super().get_bulk_update_fields(), "version", "updated_at"]

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """The new rows by COPY (django-pgbulk) rather than the library's `bulk_create`, whose
        INSERT statements of a thousand rows each were the costliest part of the import after
        reading the file (bench/spreadsheet_import.py). The same values are stored (each field's
        `get_db_prep_save`, auto_now stamped), the history triggers fire on COPY as on INSERT,
        and the history context holds for COPY too: COPY bypasses Django's execute wrappers, but
        the import's first statements (its lock) set the context for the whole transaction. A
        row the database refuses (a household registered meanwhile) is a database error as
        before: the library reports it and the file is rolled back."""
        if self.create_instances and (using_transactions or not dry_run):
            try:
                # As bulk_create's own block: a refused COPY marks the transaction for rollback,
                # so the library's savepoint is rolled back rather than released.
                with (
                    transaction.atomic(using=connection.alias, savepoint=False),
                    connection.wrap_database_errors,  # psycopg's errors as Django's
                ):
                    pgbulk.copy(
                        self._meta.model._default_manager.using(connection.alias),
                        self.create_instances,
                    )
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.create_instances.clear()


class HouseholdImportResource(RegistryResource):
    number = _field("number", widget=TextWidget(digits=True))
    poverty_status = _field("poverty_status", widget=ChoiceWidget(BY_KEY["poverty_status"].choices))
    poverty_exit_year = _field("poverty_exit_year", widget=YearWidget())
    address = _field("address", widget=TextWidget(plain=True))
    phone = _field("phone", widget=TextWidget())
    bank_account = _field("bank_account", widget=TextWidget(digits=True))

    NOT_CLEANED = ("village",)

    class Meta:
        model = Household
        fields = (
            "number",
            "village",
            "poverty_status",
            "poverty_exit_year",
            "address",
            "phone",
            "bank_account",
        )
        import_id_fields = ("number",)
        instance_loader_class = ArrayInstanceLoader
        use_bulk = True
        batch_size = BATCH
        skip_unchanged = True
        skip_diff = True
        report_skipped = True

    def __init__(self, *, villages: list[Region], new_facts: dict[str, dict] | None = None):
        super().__init__()
        self.villages = {village.code for village in villages}
        # By number, the cached facts a new household is written with (its members from the file:
        # registry_rules.cached_facts_of_new_household); an existing one's are refreshed once its
        # members are in.
        self.new_facts = new_facts or {}
        # By primary key: the poverty status the registry holds and whether a case is open.
        self._stored_status: dict[int, tuple[str, bool]] = {}
        self.fields["village"] = _field("village", widget=VillageWidget(villages))

    def after_init_instance(self, instance, new, row, **kwargs):
        if not new and instance.village_id not in self.villages:
            raise ValidationError(
                {"number": _("This household number belongs to a household outside your region.")}
            )
        if not new:
            # Before the row's values are set on it: what the registry holds now.
            self._stored_status[instance.pk] = (instance.poverty_status, instance.has_open_case)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        # Written once, with what the registry would otherwise write again after the members.
        for household in self.create_instances:
            for name, value in self.new_facts.get(household.number, {}).items():
                setattr(household, name, value)
        evaluation_requests.mark_new_households(self.create_instances)
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size, result)

    def check_rules(self, instance, errors):
        if instance.pk is None and instance.village_id and not {"number", "village"} & set(errors):
            try:
                registry_rules.household_number_check(
                    number=instance.number, village_code=instance.village_id
                )
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if instance.pk in self._stored_status and "poverty_status" not in errors:
            stored_status, has_open_case = self._stored_status[instance.pk]
            try:
                registry_rules.poverty_status_change_check(
                    has_open_case=has_open_case,
                    stored_status=stored_status,
                    poverty_status=instance.poverty_status,
                )
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if "poverty_status" not in errors and "poverty_exit_year" not in errors:
            try:
                registry_rules.exit_year_check(
                    poverty_status=instance.poverty_status,
                    poverty_exit_year=instance.poverty_exit_year,
                )
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        return errors


MEMBER_FIELDS: dict[str, widgets.Widget] = {
    "name": TextWidget(plain=True),
    "relation": ChoiceWidget(Member.Relation),
    "labour": ChoiceWidget(Member.Labour),
    "education": ChoiceWidget(Member.Education),
    "health": ChoiceWidget(Member.Health, Member.Health.HEALTHY),
    "disability": ChoiceWidget(Member.Disability, Member.Disability.NONE),
    "health_note": TextWidget(plain=True),
    "schooling": ChoiceWidget(Member.Schooling, Member.Schooling.NOT_IN_SCHOOL),
    "work": ChoiceWidget(Member.Work, Member.Work.NONE),
    "medical_insurance": YesNoWidget(default=True),
    "pension_insurance": YesNoWidget(default=False),
    "dibao": YesNoWidget(default=False),
    "tekun": YesNoWidget(default=False),
    "status": ChoiceWidget(Member.Status, Member.Status.ACTIVE),
}
# The columns of a member row its household's cached facts are made of.
FACT_COLUMNS = ("name", "relation", "status")


def member_facts(row: dict) -> dict | None:
    """A member row's name, relation and status as the import writes them (what a household's
    cached facts are made of); None for a row the import refuses, in which case nothing is
    written."""
    try:
        return {key: MEMBER_FIELDS[key].clean(row.get(key)) for key in FACT_COLUMNS}
    except ValueError:
        return None


# The model attribute each column of a member row fills, where the names differ.
MEMBER_COLUMN_OF = {"household": "number", "phone": "member_phone", "id_number_hash": "id_number"}


class MemberImportResource(RegistryResource):
    """One member per row. The row's ID number is checked before (`id_checks`), and found by
    its keyed hash, which the service puts in the hidden column `id_hash`."""

    id_number_hash = _field("id_hash", "id_number_hash", widget=TextWidget())
    phone = _field("member_phone", "phone", widget=TextWidget())

    NOT_CLEANED = (
        "household",
        "id_number_hash",
        "id_number_encrypted",
        "id_number_masked",
        "sex",
        "birth_date",
    )

    class Meta:
        model = Member
        fields = ("id_number_hash", "name", "phone", *MEMBER_FIELDS)
        import_id_fields = ("id_number_hash",)
        instance_loader_class = ArrayInstanceLoader
        use_bulk = True
        batch_size = BATCH
        skip_unchanged = True
        skip_diff = True
        report_skipped = True

    def __init__(
        self,
        *,
        households: dict[str, Household],
        id_checks: dict[str, IdNumber | str],
        heads: registry_rules.SingleHeads,
        duplicates: registry_rules.DuplicatePersons,
        hashes: list[str] | None = None,
        actor=None,
    ):
        super().__init__()
        self.actor = actor
        # What each stored member was before the file, and the life events the file's changes
        # make (a death, a serious illness …), written by the import once its rows are saved.
        self._facts_before: dict[int, dict[str, str]] = {}
        self.life_events: list[LifeEvent] = []
        for key, widget in MEMBER_FIELDS.items():
            self.fields[key] = _field(key, widget=widget)
        self.households = households  # by number, the households of the file as now written
        # By hash, the checked number; by a placeholder, why the number was refused.
        self.id_checks = id_checks
        self.heads = heads  # the households' heads not in the file, and those the file claims
        self.duplicates = duplicates
        # The file's people (keyed hashes): those recorded as deceased, with no active membership,
        # are not registered again. Read once, the first time a row would add someone.
        self.hashes = hashes or []
        self._deceased: dict[str, Member] | None = None

    def get_or_init_instance(self, instance_loader, row):
        instance, new = super().get_or_init_instance(instance_loader, row)
        if not new:
            self._facts_before[instance.pk] = registry_rules.facts_before(instance)
        return instance, new

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        before = self._facts_before.get(instance.pk) if instance.pk else None
        if before is not None:
            # A file carries no date of the change: the day it is imported.
            self.life_events += registry_rules.member_change_events(
                before=before, member=instance, occurred_on=timezone.localdate(), actor=self.actor
            )

    def get_queryset(self):
        # A row names the person's active membership: the rows they left in other households
        # (moved out, deceased) keep their history and are not written by an import.
        return Member.objects.filter(status=Member.Status.ACTIVE).select_related("household")

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        household = self.households.get(row["number"] or "")
        if household is None:
            # The household's own row says what is wrong with it; this row waits for it.
            errors["household"] = [HOUSEHOLD_FAILED]
        elif instance.pk and instance.household_id != household.pk:
            errors["id_number_hash"] = [self.duplicates.message(instance)]
        else:
            instance.household = household
        checked = self.id_checks.get(row["id_hash"])
        if isinstance(checked, str):
            errors["id_number_hash"] = [checked]
        elif not instance.pk:
            registry_rules.id_number_store(instance, checked)
            if self._deceased is None:
                self._deceased = registry_rules.deceased_people(self.hashes)
            dead = self._deceased.get(instance.id_number_hash)
            if dead is not None:
                errors["id_number_hash"] = [self.duplicates.message(dead)]
        if errors:
            raise ValidationError(errors)

    def check_rules(self, instance, errors):
        if instance.household_id and "relation" not in errors:
            try:
                self.heads.check(
                    household_id=instance.household_id,
                    relation=instance.relation,
                    status=instance.status,
                )
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        return errors

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # A member row with unchanged facts is still a head for the household's one-head rule.
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        return not self.check_rules(instance, {})

import re
from typing import TYPE_CHECKING

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import BLANK_CHOICE, data_select
from core.masking import MASK, mask_account, mask_phone
from households import selectors
from households.models import Household, Member, Region

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    # The mixin is only ever mixed into a ModelForm; mypy checks it as one.
    _ModelForm = forms.ModelForm
else:
    _ModelForm = object


# Sensitive fields (ID number, phone, bank account, health, disability, health details) are never
# written into a form: not the stored value, which a worker may not read without unmasking, and
# not what was just typed into a refused form either, since that page stays in a phone's history
# and in proxies' logs. An edit form shows the stored value masked beside an empty input; left
# empty (or "unchanged"), the stored value is kept. tests/security/test_sensitive_values_in_forms.py
# opens and sends every form of the site and looks for stored and typed values.


class UnechoedMixin:
    """A field that renders empty once the form is bound: a refused form does not send back
    the sensitive value just typed. The worker types it again; the page says so."""

    def bound_data(self, data, initial):
        return None


class SensitiveCharField(UnechoedMixin, forms.CharField):
    pass


class SensitiveChoiceField(UnechoedMixin, forms.ChoiceField):
    pass


def _label(model, name: str):
    return capfirst(model._meta.get_field(name).verbose_name)


class SensitiveFieldsMixin(_ModelForm):
    """Replace-only sensitive fields: `<name>` takes a new value, `<name>_clear` (edit forms, a
    stored text value only) removes the stored one; neither keeps it."""

    SENSITIVE: tuple[str, ...] = ()

    def _replaceable(self, name: str, stored: str, masked: str, *, clearable: bool = True):
        field = self.fields[name]
        if not self.instance.pk:
            return
        field.required = False
        if not stored:
            field.help_text = _("None recorded.")
            return
        field.help_text = _("Currently %(masked)s. Leave empty to keep it.") % {"masked": masked}
        if clearable:
            verbose_name = self.instance._meta.get_field(name).verbose_name
            self.fields[f"{name}_clear"] = forms.BooleanField(
                label=_("Remove the recorded %(field)s") % {"field": verbose_name},
                required=False,
            )
            # The box right after its input.
            order = [key for key in self.fields if key != f"{name}_clear"]
            order.insert(order.index(name) + 1, f"{name}_clear")
            self.order_fields(order)

    def _unchanged_choice(self, name: str, choices) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField), name
        if self.instance.pk:
            field.choices = [("", pgettext_lazy("keep the stored value", "Unchanged")), *choices]
            field.required = False
            field.help_text = _("Currently %(masked)s (hidden). Choose only to change it.") % {
                "masked": MASK
            }
        else:
            field.choices = [BLANK_CHOICE, *choices]

    def clean(self):
        data = super().clean()
        for name in self.SENSITIVE:
            if data.get(f"{name}_clear") and data.get(name):
                self.add_error(
                    f"{name}_clear", _("Either type a new value or remove the recorded one.")
                )
        return data

    def sensitive_changes(self) -> dict:
        """What the service should write: a typed value, an explicit removal, or nothing."""
        changes = {}
        for name in self.SENSITIVE:
            value = self.cleaned_data.get(name)
            if value:
                changes[name] = value
            elif self.cleaned_data.get(f"{name}_clear"):
                changes[name] = ""
            elif not self.instance.pk and name in self.fields:
                changes[name] = value or ""
        return changes

    def sensitive_values(self) -> dict:
        """Every sensitive field's value, for a service that takes the whole record: what was
        typed, "" when removed, else the stored value (which the form never showed)."""
        stored = {name: getattr(self.instance, name, "") for name in self.SENSITIVE}
        return stored | self.sensitive_changes()

    @property
    def retype_notice(self) -> "StrOrPromise":
        if self.is_bound and self.errors and any(self.data.get(name) for name in self.SENSITIVE):
            return _(
                "For privacy, the sensitive values you entered are not shown again: "
                "enter them again."
            )
        return ""


class HouseholdForm(SensitiveFieldsMixin, forms.ModelForm):
    SENSITIVE = ("phone", "bank_account")

    village = forms.ChoiceField(label=_("Village"), widget=data_select())
    phone = SensitiveCharField(label=_label(Household, "phone"), max_length=20, required=False)
    bank_account = SensitiveCharField(
        label=_label(Household, "bank_account"), max_length=32, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    field_order = [
        "village",
        "address",
        "phone",
        "bank_account",
        "poverty_status",
        "poverty_exit_year",
    ]

    class Meta:
        model = Household
        # phone and bank_account are declared above, not taken from the model: a ModelForm
        # would fill them with the stored values.
        fields = ["village", "address", "poverty_status", "poverty_exit_year"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        villages = (
            selectors.regions_visible_to(user)
            .filter(level=Region.Level.VILLAGE)
            .select_related("parent")
            .order_by("code")
        )
        self.fields["village"].choices = [("", _("Choose a village"))] + [
            (village.code, f"{village.parent.short_name} {village.short_name}")
            for village in villages
        ]
        for name in self.SENSITIVE:
            self.fields[name].widget.attrs.update(autocomplete="off", spellcheck="false")
        self.fields["phone"].widget.attrs.update(type="tel")
        self.fields["bank_account"].widget.attrs.update(inputmode="numeric")
        if self.instance.pk:
            self.initial.setdefault("village", self.instance.village_id)
            self.initial.setdefault("version", self.instance.version)
            self._replaceable("phone", self.instance.phone, mask_phone(self.instance.phone))
            self._replaceable(
                "bank_account", self.instance.bank_account, mask_account(self.instance.bank_account)
            )

    def _post_clean(self):
        # Model validation is the service's job (it knows scope and locks); skip ModelForm's.
        pass

    def service_fields(self) -> dict:
        data = {
            name: self.cleaned_data[name]
            for name in ("village", "address", "poverty_status", "poverty_exit_year")
        }
        return data | self.sensitive_changes()


# A label's policy term kept in Chinese after its English words ("household registration here
# (户籍)"): a deliberate gloss, so it is marked as Chinese text (tests/page_language.py).
_GLOSS = re.compile(r"(.*?)\s*\(([\u4e00-\u9fff]+)\)")


def _glossed(label: "StrOrPromise") -> "StrOrPromise | SafeString":
    match = _GLOSS.fullmatch(str(label))
    if match is None:
        return label
    return format_html('{} <span lang="zh-Hans">({})</span>', capfirst(match[1]), match[2])


class MemberForm(SensitiveFieldsMixin, forms.ModelForm):
    SENSITIVE = ("id_number", "phone", "health", "disability", "health_note")

    id_number = SensitiveCharField(label=_("ID number"), max_length=32, required=False)
    phone = SensitiveCharField(label=_label(Member, "phone"), max_length=20, required=False)
    health = SensitiveChoiceField(label=_label(Member, "health"))
    disability = SensitiveChoiceField(label=_label(Member, "disability"))
    health_note = SensitiveCharField(
        label=_label(Member, "health_note"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    field_order = ["name", "id_number", *Member.FACT_FIELDS, "changed_on", "new_head"]

    class Meta:
        model = Member
        # The sensitive fields are declared above, not taken from the model: a ModelForm would
        # fill them with the stored values.
        fields = ["name", *(f for f in Member.FACT_FIELDS if f not in Member.SENSITIVE_FIELDS)]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs.update(type="tel", autocomplete="off")
        self.fields["id_number"].widget.attrs.update(autocomplete="off", spellcheck="false")
        self._unchanged_choice("health", Member.Health.choices)
        self._unchanged_choice("disability", Member.Disability.choices)
        for name in ("registered_here", "lives_here"):
            if name in self.fields:
                self.fields[name].label = _glossed(self.fields[name].label)
        if self.instance.pk:
            member = self.instance
            self._replaceable("id_number", "stored", member.id_number_masked, clearable=False)
            self._replaceable("phone", member.phone, mask_phone(member.phone))
            self._replaceable("health_note", member.health_note, MASK)
            self.initial.setdefault("version", member.version)
            self.fields["changed_on"] = changed_on_field()
            if member.relation == Member.Relation.HEAD and member.status == Member.Status.ACTIVE:
                self.fields["new_head"] = new_head_field(member.household, leaving={member.pk})
        else:
            self.fields["id_number"].required = True
            self.initial.setdefault("health", Member.Health.HEALTHY)
            self.initial.setdefault("disability", Member.Disability.NONE)

    def _post_clean(self):
        pass

    def service_fields(self) -> dict:
        data = {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in self.SENSITIVE and not name.endswith("_clear")
        }
        data.pop("version", None)
        if "new_head" in data:
            data["new_head_id"] = data.pop("new_head") or None
        return data | self.sensitive_changes()


def changed_on_field() -> forms.DateField:
    return forms.DateField(
        label=_("Date of the change"),
        help_text=_("The day a death, a move out, an illness or another change actually happened."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _member_choices(members) -> list[tuple[str, str]]:
    return [
        (str(member.pk), f"{member.name} ({member.get_relation_display()})") for member in members
    ]


def new_head_field(household: Household, *, leaving) -> forms.ChoiceField:
    staying = selectors.household_members_active(household=household).exclude(pk__in=leaving)
    return forms.ChoiceField(
        label=_("New head"),
        widget=data_select(),
        help_text=_("When the head dies, moves out or leaves in a split: who becomes head."),
        choices=[BLANK_CHOICE, *_member_choices(staying)],
        required=False,
    )


class MemberMoveForm(forms.Form):
    """迁移成员: the member moves to another household, named by its number."""

    household_number = forms.CharField(label=_("Number of the household moved to"), max_length=20)
    relation = forms.ChoiceField(
        label=_("Relation to the head of the new household"),
        choices=[BLANK_CHOICE, *Member.Relation.choices],
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, member: Member, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.initial.setdefault("version", member.version)
        self.fields["household_number"].widget.attrs.update(inputmode="numeric")
        self.fields["changed_on"] = changed_on_field()
        if member.relation == Member.Relation.HEAD:
            self.fields["new_head"] = new_head_field(member.household, leaving={member.pk})

    def clean_household_number(self) -> int:
        number = self.cleaned_data["household_number"].strip()
        household = selectors.households_visible_to(self.user).filter(number=number).first()
        if household is None:
            raise forms.ValidationError(_("No such household in your region."))
        return household.pk


class HouseholdSplitForm(forms.Form):
    """分户: which members set up the new household, and who heads each."""

    members = forms.MultipleChoiceField(
        label=_("Members who set up the new household"),
        widget=forms.CheckboxSelectMultiple(attrs={"translate": "no"}),
    )
    head = forms.ChoiceField(label=_("Head of the new household"), widget=data_select())
    address = forms.CharField(
        label=_("Address of the new household"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to keep this household's address."),
    )

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _member_choices(selectors.household_members_active(household=household))
        members, head = self.fields["members"], self.fields["head"]
        assert isinstance(members, forms.ChoiceField) and isinstance(head, forms.ChoiceField)
        members.choices = choices
        head.choices = [BLANK_CHOICE, *choices]
        self.fields["new_head"] = new_head_field(household, leaving=())
        self.fields["new_head"].label = _("New head of this household")
        self.fields["new_head"].help_text = _("Needed only when this household's head leaves.")
        self.fields["changed_on"] = changed_on_field()

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "member_ids": [int(pk) for pk in data["members"]],
            "head_id": int(data["head"]),
            "new_head_id": int(data["new_head"]) if data.get("new_head") else None,
            "address": data["address"] or None,
            "changed_on": data.get("changed_on"),
        }


class HouseholdMergeForm(forms.Form):
    """合户: another household of the village whose members join this one."""

    other_household = forms.ChoiceField(label=_("Household merged into this one"))
    head_relation = forms.ChoiceField(
        label=_("Its head's relation to this household's head"),
        choices=[(value, label) for value, label in Member.Relation.choices if value != "head"],
        initial=Member.Relation.OTHER,
    )

    def __init__(self, *args, household: Household, user, **kwargs):
        super().__init__(*args, **kwargs)
        other = self.fields["other_household"]
        assert isinstance(other, forms.ChoiceField)
        other.choices = [BLANK_CHOICE] + [
            (str(other.pk), f"{other.number} {other.head_name}")
            for other in selectors.merge_candidates(user=user, household=household)
        ]
        self.fields["changed_on"] = changed_on_field()


class UnmaskForm(forms.Form):
    reason = forms.CharField(label=_("Why do you need the full information?"), max_length=200)

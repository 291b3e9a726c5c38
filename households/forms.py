from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from households import selectors
from households.models import Household, Member, Region


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the fields it names, or on the form as a whole."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class HouseholdForm(forms.ModelForm):
    village = forms.ChoiceField(label=_("Village"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Household
        fields = [
            "village",
            "address",
            "phone",
            "bank_account",
            "poverty_status",
            "poverty_exit_year",
        ]

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
        if self.instance.pk:
            self.initial.setdefault("village", self.instance.village_id)
            self.initial.setdefault("version", self.instance.version)

    def _post_clean(self):
        # Model validation is the service's job (it knows scope and locks); skip ModelForm's.
        pass


class UnechoedInput(forms.TextInput):
    """A text box that never sends its value back: a form refused for another field must not
    return the full ID number just typed (pages of a refused form stay in a phone's history and
    in proxies' logs). The worker types it again; the number is shown masked everywhere else."""

    def get_context(self, name, value, attrs):
        return super().get_context(name, None, attrs)


class MemberForm(forms.ModelForm):
    id_number = forms.CharField(
        label=_("ID number"), max_length=32, required=False, widget=UnechoedInput
    )
    household = forms.IntegerField(widget=forms.HiddenInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Member
        fields = ["name", "id_number", *Member.FACT_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs.update(type="tel", autocomplete="off")
        self.fields["id_number"].widget.attrs.update(autocomplete="off", spellcheck="false")
        if self.instance.pk:
            self.fields["id_number"].help_text = _(
                "Currently %(masked)s. Leave empty to keep it."
            ) % {"masked": self.instance.id_number_masked}
            self.fields["household"].widget = forms.TextInput(attrs={"inputmode": "numeric"})
            self.fields["household"].label = _("Move to household (internal id)")
            self.initial.setdefault("household", self.instance.household_id)
            self.initial.setdefault("version", self.instance.version)
        else:
            self.fields["id_number"].required = True

    def _post_clean(self):
        pass

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        if not data.get("id_number"):
            data.pop("id_number", None)
        if data.get("household") in (
            None,
            self.instance.household_id if self.instance.pk else None,
        ):
            data.pop("household", None)
        return data


class UnmaskForm(forms.Form):
    reason = forms.CharField(label=_("Why do you need the full information?"), max_length=200)

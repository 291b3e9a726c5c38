from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import data_select
from spreadsheets.workbook import MAX_BYTES


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Filled-in template (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Choose an Excel workbook ending in .xlsx."))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB.") % {"size": MAX_BYTES // 2**20}
            )
        return upload


class RosterUploadForm(forms.Form):
    """Civil affairs' roster as it sends it, and the region it covers (the user's own, or one
    within it)."""

    file = forms.FileField(
        label=_("Civil affairs' roster (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    region = forms.ChoiceField(label=_("Region it covers"), required=False, widget=data_select())

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("My whole region"))] + [
            (region.code, region.name) for region in regions
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Choose an Excel workbook (.xlsx) or a CSV file."))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB.") % {"size": MAX_BYTES // 2**20}
            )
        return upload


class WorkUploadForm(forms.Form):
    """A department's monthly work file (务工就业月度信息)."""

    file = forms.FileField(
        label=_("Monthly work file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Choose an Excel workbook ending in .xlsx."))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB.") % {"size": MAX_BYTES // 2**20}
            )
        return upload

"""The file input the owners' forms carry, and the form that attaches a file on its own."""

from django import forms
from django.utils.translation import gettext_lazy as _

from evidence.content import ACCEPT_ATTRIBUTE, CleanFile
from evidence.services import evidence_clean


class EvidenceField(forms.FileField):
    """An optional photo or PDF, checked while the form validates: its cleaned value is the
    re-encoded file (evidence.content.CleanFile) or None, so that a bad file refuses the whole
    form before anything is written. `capture` opens the phone's camera directly (for the forms
    where a photo is what is expected: a visit, a verification)."""

    def __init__(self, *, capture: bool = False, **kwargs) -> None:
        attrs = {"accept": ACCEPT_ATTRIBUTE}
        if capture:
            attrs["capture"] = "environment"
        kwargs.setdefault("label", _("Attach a photo or PDF"))
        kwargs.setdefault(
            "help_text", _("A photo (JPEG, PNG, WebP) or a PDF; the location is kept apart.")
        )
        super().__init__(required=False, widget=forms.FileInput(attrs=attrs), **kwargs)

    def clean(self, data, initial=None) -> CleanFile | None:
        upload = super().clean(data, initial)
        if not upload:
            return None
        return evidence_clean(upload=upload)


class EvidenceForm(forms.Form):
    file = EvidenceField(label=_("File"))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)

    def clean_file(self):
        value = self.cleaned_data.get("file")
        if value is None:
            raise forms.ValidationError(_("Choose a file to attach."), code="required")
        return value


class AttachmentForm(forms.Form):
    """The optional file a record's own form carries beside its fields (the visit, the home
    verification, a case step, a delivery), under the prefix "evidence". Validated with that
    form, so that a refused file refuses the whole submission and nothing is written."""

    file = EvidenceField()

    def __init__(self, *args, capture: bool = False, **kwargs) -> None:
        kwargs.setdefault("prefix", "evidence")
        super().__init__(*args, **kwargs)
        if capture:
            self.fields["file"].widget.attrs["capture"] = "environment"
        if self.is_bound and self.files.get(self.add_prefix("file")):
            # Shown again only when the page's form was refused (it redirects once saved), and a
            # browser never fills a file input back in: the person must know to choose it again.
            self.fields["file"].help_text = _(
                "The file you chose was not kept: choose it again before sending."
            )

    @property
    def cleaned_file(self) -> CleanFile | None:
        return self.cleaned_data.get("file") if self.is_bound and self.is_valid() else None

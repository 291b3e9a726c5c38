from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_(
            "The six digits your authenticator app shows now, or one of your backup codes."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class ApiTokenRevokeForm(forms.Form):
    # knox's token_key: the first characters of the token, which name it without giving it away.
    token = forms.CharField(max_length=64, widget=forms.HiddenInput)

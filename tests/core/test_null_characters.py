"""A NUL character in any field is refused in plain Chinese: Django's own catalogue says "empty
string" (不允许是用空字符串), ours says what is wrong (core/forms.py NULL_CHARACTERS)."""

from django import forms
from django.utils import translation


class NoteForm(forms.Form):
    note = forms.CharField()


def test_a_nul_character_is_refused_in_plain_chinese():
    with translation.override("zh-hans"):
        form = NoteForm({"note": "住院\x00费用"})
        assert not form.is_valid()
        assert form.errors["note"] == ["不能含有空字符（NUL）。"]

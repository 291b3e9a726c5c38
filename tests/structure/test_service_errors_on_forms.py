"""A service's refusal goes on the calling form one way, on every page and in the admin."""

from django import forms
from django.core.exceptions import ValidationError

from core.errors import EditConflict
from core.forms import add_service_errors


class NoteForm(forms.Form):
    note = forms.CharField(required=False)


def bound() -> NoteForm:
    form = NoteForm({"note": "x"})
    assert form.is_valid()
    return form


def test_a_field_error_goes_on_its_field_and_an_unknown_field_on_the_form():
    form = bound()
    add_service_errors(form, ValidationError({"note": "too short", "village": "no such village"}))
    assert form.errors["note"] == ["too short"]
    assert form.non_field_errors() == ["no such village"]


def test_an_error_without_a_field_goes_on_the_form():
    form = bound()
    add_service_errors(form, ValidationError("refused"))
    assert form.non_field_errors() == ["refused"]


def test_an_edit_conflict_goes_on_the_form():
    form = bound()
    add_service_errors(form, EditConflict("changed meanwhile"))
    assert form.non_field_errors() == ["changed meanwhile"]

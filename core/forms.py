"""What every door's forms share."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core.errors import EditConflict


def add_service_errors(form: forms.Form, error: ValidationError | EditConflict) -> None:
    """Put a service's refusal on the form that called it, so the page shows the form again.

    A ValidationError goes on the fields it names, and on the form as a whole for a field the
    form does not have (or for none); an edit conflict (a stale version) on the form as a whole.
    """
    if isinstance(error, EditConflict):
        form.add_error(None, error.message)
    elif hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


# A select's blank choice in a form ("请选择"; a filter's is "全部", FILTERS_EMPTY_CHOICE_LABEL).
# Django's own "---------" (a model field's blank choice, a ModelChoiceField's empty_label) is
# said the same way by templates/django/forms/widgets/select_option.html.
CHOOSE = _("Please choose")
BLANK_CHOICE = ("", CHOOSE)


class DataSelect(forms.Select):
    """A select of data, its options written here rather than through a template each.

    Django renders every option through select_option.html and its attrs.html include: 300
    colleagues in the warning queue's action bar took 14 ms of the page to render, this 1 ms
    (tests/core/test_data_select.py: the same HTML as the templates write). A grouped choice
    list goes through the templates as before."""

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)
        optgroups = context["widget"]["optgroups"]
        if any(group_name is not None for group_name, _options, _index in optgroups):
            return super().render(name, value, attrs, renderer)
        options = "".join(
            _option_html(option)
            for _group, group_options, _index in optgroups
            for option in group_options
        )
        attributes = flatatt(context["widget"]["attrs"])
        return mark_safe(f'<select name="{escape(name)}"{attributes}>{options}</select>')


def _option_html(option: dict) -> str:
    label = CHOOSE if option["label"] == "---------" else option["label"]
    # A ModelChoiceField's option is a row of the database (select_option.html marks it too).
    data = ' translate="no"' if getattr(option["value"], "instance", None) is not None else ""
    attributes = flatatt(option["attrs"]) if option["attrs"] else ""
    return f'<option value="{escape(option["value"])}"{attributes}{data}>{escape(label)}</option>'


def data_select() -> forms.Select:
    """A select whose choices are data (villages, people, partners, offers), not the page's own
    words: marked translate="no" (tests/page_language.py). A ModelChoiceField's options are
    marked one by one already (templates/django/forms/widgets/select_option.html)."""
    return DataSelect(attrs={"translate": "no"})


# The suffix after a label: Django's forms say _(":"), which our catalogue renders "：" in
# Chinese (Django's own zh_Hans catalogue keeps the half-width colon) and ":" in English.
# Translators: the colon after a form's label; full-width in Chinese.
LABEL_SUFFIX = _(":")

# Django's validator refuses a NUL character with a message its zh_Hans catalogue mistranslates
# ("不允许是用空字符串", "empty string"); named here so that ours, read first (LOCALE_PATHS),
# keeps the right words for every form and serializer that refuses one.
NULL_CHARACTERS = _("Null characters are not allowed.")

"""`get_<field>_display()` at the cost of one dictionary lookup.

Django's own (`Model._get_FIELD_display`) rebuilds a dictionary of every choice of the field on
each call, and building it hashes each choice's label: a lazy translation, so every label of the
field is translated to show one. A list page shows two or three such fields a row on 50 rows, and
the rebuilding was 4% of the CPU of a county's working day (bench/load_test.py's mix, at 100,000
households). Here each field's value → label map is built once per process (the labels stay lazy,
so the user's language still decides); only the label shown is translated.
"""

from django.db import models
from django.utils.encoding import force_str


class ChoiceLabels:
    """Put first among a model's bases; its `get_<field>_display()` methods then use this."""

    def _get_FIELD_display(self, field: models.Field):
        value = getattr(self, field.attname)
        try:
            label = _labels_of(field)[value]
        except (KeyError, TypeError):  # not a choice (Django shows the value), or unhashable
            return super()._get_FIELD_display(field)  # type: ignore[misc]
        return force_str(label, strings_only=True)


def _labels_of(field: models.Field) -> dict:
    labels = field.__dict__.get("_choice_labels")
    if labels is None:
        labels = field.__dict__["_choice_labels"] = dict(field.flatchoices)
    return labels

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from worklist.selectors import COUNT_CAP, shown_count


class TaskSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=_("The kind of task (the `kind` filter's values)."))
    kind_label = serializers.CharField()
    title = serializers.CharField(help_text=_("What to do."))
    subject = serializers.CharField(help_text=_("For whom: household number and head, or area."))
    why = serializers.CharField()
    due_on = serializers.DateField()
    overdue = serializers.BooleanField()
    days_overdue = serializers.IntegerField()
    url = serializers.CharField(help_text=_("The page where it is done."))
    can_be_late = serializers.BooleanField(
        help_text=_("False when due_on is the day from which it may be done, never late.")
    )


class TaskCountSerializer(serializers.Serializer):
    kind_label = serializers.CharField()
    total = serializers.IntegerField(
        help_text=format_lazy(
            _(
                "Tasks of the kind: its overdue and its not yet overdue, each counted up to "
                "{cap}; a count at {cap} means that many or more (the pages show {shown})."
            ),
            cap=COUNT_CAP,
            shown=shown_count(COUNT_CAP),
        )
    )
    overdue = serializers.IntegerField(
        help_text=format_lazy(_("Overdue tasks of the kind, counted up to {cap}."), cap=COUNT_CAP)
    )


class TaskListSerializer(serializers.Serializer):
    counts = serializers.DictField(
        child=TaskCountSerializer(),
        help_text=_("Per kind of the user: all and overdue, without the kind and overdue filters."),
    )
    count = serializers.IntegerField(
        help_text=format_lazy(
            _("Tasks matching every filter, from the counts: a floor when a count reached {cap}."),
            cap=COUNT_CAP,
        )
    )
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = TaskSerializer(many=True)

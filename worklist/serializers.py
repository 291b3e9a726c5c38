from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


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
    total = serializers.IntegerField()
    overdue = serializers.IntegerField()


class TaskListSerializer(serializers.Serializer):
    counts = serializers.DictField(
        child=TaskCountSerializer(),
        help_text=_("Per kind of the user: all and overdue, without the kind and overdue filters."),
    )
    count = serializers.IntegerField(help_text=_("Tasks matching every filter."))
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = TaskSerializer(many=True)

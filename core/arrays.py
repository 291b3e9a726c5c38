"""`column = ANY(array)`: a condition on many values sent as one array parameter.

Django writes `column__in=values` as `IN (%s, %s, …)`, one parameter a value. For the few
values of a page that is what it should be; for the ten or twenty thousand of an imported file
the statement is a megabyte of text that psycopg splices together in Python and PostgreSQL
parses value by value (20,000 ID number hashes: 0.37 s, the same with one array 0.1 s).
"""

from collections.abc import Iterable

from django.contrib.postgres.fields import ArrayField
from django.db.models import BooleanField, CharField, Expression, F, Func, Q, TextField, Value
from django.db.models.expressions import RawSQL


class AnyOf(Func):
    """`lhs = ANY(rhs)` as a condition (a `pk=Func(…)` lookup would put the ANY in parentheses);
    rhs an array: a list parameter or an ARRAY(subquery)."""

    arg_joiner = " = ANY("
    template = "%(expressions)s)"
    output_field = BooleanField()


def any_of(model, column: str, values: Iterable) -> AnyOf | Q:
    """The condition that `column` of `model` (a field name or an attname, not a path across
    relations) is one of `values`, for `QuerySet.filter` and `exclude`:
    `Member.objects.filter(any_of(Member, "id_number_hash", hashes))`.

    The rows `column__in=values` gives. Strings travel as `text[]`, never as the column's own
    `varchar(n)[]`, whose cast would cut a longer value down to one that matches. A nullable
    column's condition also says `IS NOT NULL`, so that `exclude()` keeps its NULL rows as it
    does for `__in` (NOT of a NULL comparison would drop them)."""
    field = model._meta.get_field(column)
    compared = field.target_field if field.is_relation else field
    base = TextField() if isinstance(compared, (CharField, TextField)) else compared.clone()
    array: Expression = Value(list(values), output_field=ArrayField(base))
    condition = AnyOf(F(column), array)
    if field.null:
        return Q(condition) & Q(**{f"{column}__isnull": False})
    return condition


def any_id(path: str, ids: list[int]) -> AnyOf:
    """The condition that the id at `path` (a field or a path across relations:
    `"visit__household_id"`) is one of `ids`. The array travels as its text, made once: a value
    of an ArrayField is prepared element by element and psycopg then dumps each, 25 ms for a
    scan chunk's 5,000 ids where the join itself takes half a millisecond."""
    return AnyOf(F(path), RawSQL("%s::bigint[]", [id_array(ids)]))


def any_id_unseen(path: str, ids: list[int]) -> AnyOf:
    """`any_id` with the array handed to the planner as the result of a subquery rather than as
    a constant, so that it plans without reading the ids: for a condition that an index whose
    first column is `path` must serve, at every size of the list.

    Given a scan chunk's 5,000 ids as a constant, the planner estimated the condition element by
    element and, expecting thousands of visits, hashed every visit event of the county's last 90
    days (18,868 at 1,000,000 households, a number that grows with the county) against the
    chunk's visits: 40-46 ms a chunk, against 21 ms probing the chunk's own visits through
    `visit_latest` (monitoring.engine.facts). Only where that index is sure to be taken: against
    a constant, PostgreSQL hashes the list once; against the subquery's array it compares each
    row it filters with every id (about 29 µs a row for 5,000 ids), so a plan that read another
    index and filtered by the ids would be a hundred times slower than before."""
    return AnyOf(F(path), RawSQL("ARRAY(SELECT unnest(%s::bigint[]))", [id_array(ids)]))


def id_array(ids: list[int]) -> str:
    """The ids as the text of a PostgreSQL array, `{1,2,3}`, for a `%s::bigint[]` parameter."""
    return "{" + ",".join(str(int(value)) for value in ids) + "}"

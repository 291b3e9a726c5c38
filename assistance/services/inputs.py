"""Service inputs built the same way from a form's cleaned data and a serializer's data."""

from dataclasses import fields
from typing import ClassVar, Self


class FromData:
    """A dataclass that can be filled from a dict of submitted values.

    `SUBMITTED_AS` names the keys that differ from the field names (a form's `partner` is the
    plan's `partner_id`). Keys absent or None keep the field's default.
    """

    SUBMITTED_AS: ClassVar[dict[str, str]] = {}

    @classmethod
    def from_data(cls, data: dict) -> Self:
        values = {}
        for field in fields(cls):  # type: ignore[arg-type]
            key = cls.SUBMITTED_AS.get(field.name, field.name)
            if data.get(key) is not None:
                values[field.name] = data[key]
        return cls(**values)

"""The kinds of record a file may be attached to, registered by the apps that own them.

The owners live above this app: visits and warnings in monitoring, case steps and measure
deliveries in assistance. Each registers its kind from its AppConfig.ready() with two readers of
its own selectors, so evidence never imports them (the layers, docs/architecture.md) and "who
may see or attach to what" stays written once, in the owner's selectors:

- `visible(user)`: the owners the user may see (their evidence is visible with them);
- `attachable(user)`: the owners the user may attach a file to;
- `household_path`: from the owner to its household, which places a file in a region.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, QuerySet
from django.utils.functional import Promise


@dataclass(frozen=True)
class OwnerKind:
    key: str
    label: Promise | str
    model: type[Model]
    household_path: str
    visible: Callable[..., QuerySet]
    attachable: Callable[..., QuerySet]


OWNER_KINDS: dict[str, OwnerKind] = {}


def register(kind: OwnerKind) -> None:
    """Add an owner kind (call it from the owning app's AppConfig.ready())."""
    if OWNER_KINDS.get(kind.key, kind) != kind:
        raise ValueError(f"evidence owner kind {kind.key!r} is taken")
    OWNER_KINDS[kind.key] = kind


def owner_kind(key: str) -> OwnerKind | None:
    return OWNER_KINDS.get(key)


def owner_kind_choices() -> list[tuple[str, str]]:
    return [(key, str(kind.label)) for key, kind in sorted(OWNER_KINDS.items())]

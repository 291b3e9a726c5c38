"""What the apps above assistance offer from a measure's page, registered from their ready(), so
that assistance imports none of them (docs/architecture.md), as the household hub's sources
and the evidence owners are: a micro-credit measure's "record a loan from this measure" and its
loans are livelihoods', which sits above.

Each registered reader, `links(user, measure)`, answers the links the viewer may follow from
this measure now (decided by the owner's permissions and selectors, never by the template), in
the order they come; a reader with nothing to offer answers an empty list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class MeasureLink:
    key: str
    label: str
    url: str
    order: int = 50
    # A button (a thing to do) or a plain link (a thing to see).
    action: bool = False


READERS: dict[str, Callable[..., list[MeasureLink]]] = {}


def register(key: str, reader: Callable[..., list[MeasureLink]]) -> None:
    """Add a reader (call it from the owning app's AppConfig.ready())."""
    if READERS.get(key, reader) is not reader:
        raise ValueError(f"measure link reader {key!r} is taken")
    READERS[key] = reader


def links_for(user, measure) -> list[MeasureLink]:
    links = [link for reader in READERS.values() for link in reader(user, measure)]
    return sorted(links, key=lambda link: link.order)

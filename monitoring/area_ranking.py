"""Which households of an area event to screen first: a vulnerability score and its reasons.

Pure: `rank` reads facts loaded in bulk (services/area_events.py) and answers the order, each
household's score and the reasons behind it, with no query. The reasons are stored with the
screening task as codes and numbers; `reason_words` puts them in words for the pages.
"""

from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

# What each fact adds to the score. The current risk counts most: the engine has already found
# the household at risk; then what makes a household fall back when the whole area is hit.
RISK_POINTS = {"high": 40, "medium": 25, "low": 10}
INCOME_NEAR_LINE_POINTS = 20
NO_LABOUR_POINTS = 20
ELDERLY_OR_ILL_POINTS = 10  # per member, at most two members counted
ELDERLY_OR_ILL_COUNTED = 2
RECENT_SHOCK_POINTS = 15
# The engine's reason codes that say the income is at or close to the monitoring line.
INCOME_CODES = frozenset({"income_below_line", "income_near_line"})


@dataclass(frozen=True, slots=True)
class Vulnerability:
    household_id: int
    risk_level: str = "none"  # the household's current level (Household.risk_level)
    reason_codes: frozenset[str] = frozenset()  # its current reasons' codes
    active_members: int = 0
    members_with_labour: int = 0
    elderly_or_ill: int = 0  # active members aged 60 or more, seriously or chronically ill
    recent_shocks: int = 0  # shocks recorded on visits within the look-back window


@dataclass(frozen=True, slots=True)
class Ranked:
    household_id: int
    rank: int  # 1: screen first
    score: int
    reasons: list[dict]


def score_of(facts: Vulnerability) -> tuple[int, list[dict]]:
    """The household's vulnerability score and its reasons, as stored on the task."""
    reasons: list[dict] = []
    if facts.risk_level in RISK_POINTS:
        reasons.append({"code": "risk", "value": facts.risk_level})
    if facts.reason_codes & INCOME_CODES:
        reasons.append({"code": "income_near_line"})
    if facts.active_members and not facts.members_with_labour:
        reasons.append({"code": "no_labour"})
    if facts.elderly_or_ill:
        reasons.append({"code": "elderly_or_ill", "value": facts.elderly_or_ill})
    if facts.recent_shocks:
        reasons.append({"code": "recent_shock", "value": facts.recent_shocks})
    return sum(points_of(reason) for reason in reasons), reasons


def points_of(reason: dict) -> int:
    code = reason["code"]
    if code == "risk":
        return RISK_POINTS[reason["value"]]
    if code == "income_near_line":
        return INCOME_NEAR_LINE_POINTS
    if code == "no_labour":
        return NO_LABOUR_POINTS
    if code == "elderly_or_ill":
        return ELDERLY_OR_ILL_POINTS * min(reason["value"], ELDERLY_OR_ILL_COUNTED)
    if code == "recent_shock":
        return RECENT_SHOCK_POINTS
    return 0


# A ranked household packed in one signed 64-bit integer, so that a county's ranking is one array
# sorted in C: the score's complement in the top bits (the most vulnerable sort first), then the
# household's id (equal scores by id), then the index of its reasons.
_SCORE_BITS, _ID_BITS, _REASON_BITS = 7, 40, 16
_MAX_SCORE = (1 << _SCORE_BITS) - 1


class Ranking:
    """Households ranked most vulnerable first, held compactly until their tasks are written.

    A county-wide event ranks every household of the county: a `Ranked` each, with its own list
    of reason dicts, took 800 MB of one worker at 1,000,000 households. Here a household is
    eight bytes (above) and its reasons one of the few distinct lists (the combinations of a
    level, two flags and two small counts), its `Ranked` made only when its batch is written."""

    def __init__(self) -> None:
        self._rows = array("q")
        self._reasons: list[list[dict]] = []
        self._known: dict[tuple, int] = {}  # facts' key: the packed score and reasons' index
        self._sorted = True

    def add(self, households: Iterable[Vulnerability]) -> None:
        known = self._known
        for facts in households:
            # What the score and the reasons are made of (score_of), scored once a combination.
            key = (
                facts.risk_level,
                bool(facts.reason_codes & INCOME_CODES),
                bool(facts.active_members and not facts.members_with_labour),
                facts.elderly_or_ill,
                facts.recent_shocks,
            )
            packed = known.get(key)
            if packed is None:
                score, reasons = score_of(facts)
                if score > _MAX_SCORE or len(self._reasons) >= 1 << _REASON_BITS:
                    raise ValueError(f"a ranking packs no score {score} nor {len(known)} reasons")
                packed = known[key] = (_MAX_SCORE - score) << (_ID_BITS + _REASON_BITS) | len(
                    self._reasons
                )
                self._reasons.append(reasons)
            if not 0 < facts.household_id < 1 << _ID_BITS:
                raise ValueError(f"a ranking holds ids below 2**{_ID_BITS}: {facts.household_id}")
            self._rows.append(packed | facts.household_id << _REASON_BITS)
        self._sorted = False

    def __len__(self) -> int:
        return len(self._rows)

    def batches(self, size: int) -> Iterator[list[Ranked]]:
        """The households in order, `size` at a time. Households of a batch that share their
        reasons share one list: read it, never change it."""
        if not self._sorted:
            self._rows = array("q", sorted(self._rows))
            self._sorted = True
        id_mask, reason_mask = (1 << _ID_BITS) - 1, (1 << _REASON_BITS) - 1
        for start in range(0, len(self._rows), size):
            yield [
                Ranked(
                    packed >> _REASON_BITS & id_mask,
                    position,
                    _MAX_SCORE - (packed >> (_ID_BITS + _REASON_BITS)),
                    self._reasons[packed & reason_mask],
                )
                for position, packed in enumerate(self._rows[start : start + size], start=start + 1)
            ]


def rank(households: Iterable[Vulnerability]) -> list[Ranked]:
    """Most vulnerable first; equal scores by household id, so that the order is stable."""
    ranking = Ranking()
    ranking.add(households)
    return [row for batch in ranking.batches(max(len(ranking), 1)) for row in batch]


def reason_words(reasons: list[dict]) -> list[str]:
    """The stored reasons in words, for the event's page and the API."""
    levels = {"high": _("high"), "medium": _("medium"), "low": _("low")}
    words = []
    for reason in reasons:
        code, value = reason.get("code"), reason.get("value")
        if code == "risk":
            level = str(value)
            words.append(_("Current risk: %(level)s") % {"level": levels.get(level, level)})
        elif code == "income_near_line":
            words.append(_("Income at or close to the monitoring line"))
        elif code == "no_labour":
            words.append(_("Nobody in the household can work"))
        elif code == "elderly_or_ill":
            words.append(_("Elderly or ill members: %(count)d") % {"count": value})
        elif code == "recent_shock":
            words.append(_("Recent shocks recorded on visits: %(count)d") % {"count": value})
    return words

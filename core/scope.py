"""What a user may see, in one value: a region prefix and, for a partner's users, the partner.

Scope is a code prefix (core/regions.py): everything under a township is one indexed
`LIKE '620423100%'`. Selectors build their querysets from `Scope.of(user)`, and nothing else
filters by a region prefix, so "who sees what" is written once (tests/structure guards it).

The prefix says three things apart:
- `None`: nothing. An anonymous visitor, or an account without a region (its empty prefix would
  otherwise mean everything).
- `""`: everything. A superuser.
- `"620423"`: the county 620423 and everything under it.

core imports no app: the user is read through its attributes (`is_authenticated`,
`is_superuser`, `region_id`, which is the region's code, `role`, `partner_id`).
"""

from dataclasses import dataclass

from django.db.models import Q

from core.regions import ancestors_of, area_prefix, full_code, is_region_code, prefix_of

# The role of a partner's users (accounts.models.Role.PARTNER), read here as plain data.
PARTNER_ROLE = "partner"

# Matches no row, and PostgreSQL is never asked: Django answers `pk__in=[]` with an empty result.
NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Scope:
    prefix: str | None = None
    partner: int | None = None  # the partner a partner's user works for

    @classmethod
    def of(cls, user) -> "Scope":
        """The scope of a user (or of an anonymous visitor: nothing)."""
        if user is None or not user.is_authenticated:
            return cls()
        partner = user.partner_id if getattr(user, "role", "") == PARTNER_ROLE else None
        if user.is_superuser:
            return cls(prefix="", partner=partner)
        if not user.region_id:
            return cls(partner=partner)
        return cls(prefix=prefix_of(user.region_id), partner=partner)

    @classmethod
    def under(cls, region: str) -> "Scope":
        """Everything under a region given as a full 12-digit code or as a code prefix."""
        return cls(prefix=area_prefix(region))

    @property
    def sees_nothing(self) -> bool:
        return self.prefix is None

    @property
    def sees_everything(self) -> bool:
        return self.prefix == ""

    @property
    def is_one_code(self) -> bool:
        """The prefix is a whole region code (a village's): one region, nothing under it."""
        return is_region_code(self.prefix or "")

    def q(self, path: str) -> Q:
        """Rows whose region code at `path` lies in the scope: `q("household__village__code")`,
        `q("region_code")` for a column holding a code or a prefix."""
        if self.prefix is None:
            return NOTHING
        if self.is_one_code:
            # A village: its whole code, the only one that starts with it (codes and the prefix
            # columns are 12 characters at most). Said as equality, PostgreSQL estimates it from
            # the column's number of distinct villages; as a prefix, from a histogram of codes,
            # where a village's range falls inside one bucket: 98 households estimated for 6,623
            # at 1,000,000, and a village worker's recent visits read all 79,476 of the village
            # (130 ms) instead of walking their own in order.
            return Q(**{path: self.prefix})
        # A filter even for everything (""): an empty Q() would vanish from `q(a) | q(b)`, and
        # `LIKE '%'` leaves out the rows with no region at `path`, as the selectors always have.
        return Q(**{f"{path}__startswith": self.prefix})

    def q_range(self, path: str) -> Q:
        """The rows of `q(path)`, said as a range of codes instead of a prefix, for a column of
        region codes (12 digits, so "620423100" <= code < "620423101" is "starts with
        620423100"). Use it in place of q(path), never beside it: PostgreSQL estimates the two
        conditions as independent, and the square of the share misled its plans (200 ms for a
        township's page). A btree index that begins with the column and goes on with others
        (the households' (village, number, id)) is read in its order only through a range: LIKE
        can use an index of the text_pattern_ops kind alone, which has no order after its
        column. Everything (""), nothing (None), a prefix that is no code and a whole code (a
        village's, equality) are q(path)."""
        if (
            not (self.prefix and self.prefix.isascii() and self.prefix.isdigit())
            or self.is_one_code
        ):
            return self.q(path)
        following = str(int(self.prefix) + 1).zfill(len(self.prefix))
        if len(following) > len(self.prefix):  # "99…": no range of the same length follows
            return self.q(path)
        return Q(**{f"{path}__gte": self.prefix}) & Q(**{f"{path}__lt": following})

    def covers(self, code: str | None) -> bool:
        """Whether a region code (or a code prefix, as a scan's scope) lies in the scope."""
        if self.prefix is None or code is None:
            return False
        return code.startswith(self.prefix)

    def regions_above(self) -> list[str]:
        """The full codes of the regions that contain the scope's region, from the province
        down: income lines, rule settings, partners and area signals set there apply here too.
        None for everything and for nothing."""
        if not self.prefix:
            return []
        return ancestors_of(full_code(self.prefix))

"""The 12-digit statistical division code and the scope prefixes it gives.

A code is province (2 digits), city (+2), county (+2), township (+3), village (+3), padded with
zeros to 12. Scope is a code prefix, so everything under a township is one indexed
`LIKE '620423100%'`. The level can be read off the code itself: no level uses an all-zero part for
a real unit, which lets a user's scope be computed without a join.
"""

import re

# ASCII digits only (Python's \d also takes other scripts' digits): a scope read as a range of
# codes (Scope.q_range, core/scope.py) holds only for these, and the database refuses any other
# code (households.Region's region_code_digits).
CODE_REGEX = r"[0-9]{12}"
CODE_PATTERN = re.compile(rf"\A{CODE_REGEX}\Z")

# (level, length of the code's meaningful prefix), from the bottom up.
LEVEL_PREFIX_LENGTHS = (
    ("village", 12),
    ("township", 9),
    ("county", 6),
    ("city", 4),
    ("province", 2),
)
PREFIX_LENGTH = dict(LEVEL_PREFIX_LENGTHS)
PARENT_LEVEL = {
    "village": "township",
    "township": "county",
    "county": "city",
    "city": "province",
    "province": None,
}


def is_region_code(code: str) -> bool:
    return bool(CODE_PATTERN.match(code or ""))


def level_of(code: str) -> str:
    """The level a 12-digit code names: the lowest level whose part is not all zeros."""
    if not is_region_code(code):
        raise ValueError(f"not a 12-digit region code: {code!r}")
    for (level, length), (_, shorter) in zip(
        LEVEL_PREFIX_LENGTHS, LEVEL_PREFIX_LENGTHS[1:] + (("", 0),), strict=True
    ):
        if code[shorter:length].strip("0"):
            return level
    raise ValueError(f"not a region code: {code!r}")


def prefix_of(code: str) -> str:
    """The prefix every code under this region starts with."""
    return code[: PREFIX_LENGTH[level_of(code)]]


def area_prefix(region: str) -> str:
    """A region given as a full 12-digit code stands for everything under it (its prefix); a
    shorter string of digits is a prefix already."""
    return prefix_of(region) if is_region_code(region) and region.strip("0") else region


def full_code(prefix: str) -> str:
    """'620423' -> '620423000000'."""
    return prefix.ljust(12, "0")


def ancestors_of(code: str) -> list[str]:
    """Codes of the regions above this one, from the province down."""
    length = PREFIX_LENGTH[level_of(code)]
    return [full_code(code[:n]) for _, n in reversed(LEVEL_PREFIX_LENGTHS) if n < length]


def nearest_first(code: str) -> list[str]:
    """The region's own code, then each region above it up to the province: the order in which
    a setting kept per region (an income line, a cadence, a deadline profile …) is looked up,
    the nearest region that has one winning over those above it and the national default."""
    return [code, *reversed(ancestors_of(code))]

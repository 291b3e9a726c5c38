"""The stylesheet is one file that several pieces of work append to; a block left open (a merge
that kept one closing brace of two) silently swallows every rule after it — the dashboard's
colours were lost that way. Each opening brace has its closing one."""

import pathlib
import re

STYLESHEET = pathlib.Path(__file__).resolve().parents[2] / "static" / "css" / "dixian.css"


def test_every_block_of_the_stylesheet_is_closed():
    text = re.sub(r"/\*.*?\*/", "", STYLESHEET.read_text(encoding="utf-8"), flags=re.S)
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"dixian.css line {number}: a closing brace too many"
    assert depth == 0, "dixian.css ends with a block left open"

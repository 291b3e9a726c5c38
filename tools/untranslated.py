"""Fail when a user-facing string has no zh-Hans translation (a `make test` static check).

Chinese is the interface's first language, so a string marked for translation but missing from
the catalogue shows English to a village worker. `makemessages` is run on a copy of the source
(the checkout's catalogue is left as it is), and every entry it finds untranslated or fuzzy (a
guess gettext made from a similar string, never reviewed) is listed.

It also fails on a translation call inside the braces of an f-string: xgettext
does not look inside f-strings, so such a string never reaches the catalogue at all.

Usage: python tools/untranslated.py
"""

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = Path("locale/zh_Hans/LC_MESSAGES/django.po")
SKIPPED = (".git", ".venv", "var", "node_modules", "staticfiles", "tests", "__pycache__")


def _msgids(po_text: str) -> list[str]:
    """The msgids of a catalogue's entries, the header (empty msgid) left out."""
    found = []
    for entry in po_text.split("\n\n"):
        lines, msgid, reading = entry.splitlines(), [], False
        for line in lines:
            if line.startswith("msgid "):
                reading = True
                msgid.append(line[len("msgid ") :].strip('"'))
            elif reading and line.startswith('"'):
                msgid.append(line.strip('"'))
            elif reading:
                break
        text = "".join(msgid)
        if text:
            found.append(text)
    return found


# A gettext call (_, gettext, pgettext, ngettext and their lazy forms) inside an f-string's braces.
CALL_IN_FSTRING = re.compile(
    r"""\bf(["'])[^"'\n]*\{[^}"'\n]*\b(?:_|p?gettext(?:_lazy)?|n?gettext(?:_lazy)?)\("""
)


def calls_in_fstrings() -> list[str]:
    found = []
    tops = [path for path in ROOT.iterdir() if path.name not in SKIPPED]
    sources = [path for top in tops for path in ([top] if top.is_file() else top.rglob("*"))]
    for path in sorted(source for source in sources if source.suffix == ".py"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if CALL_IN_FSTRING.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def untranslated() -> list[str]:
    with tempfile.TemporaryDirectory() as temporary:
        copy = Path(temporary) / "src"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*SKIPPED), symlinks=True)
        made = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "--locale=zh_Hans",
                "--no-location",
                "--no-obsolete",
                "--verbosity=0",
            ],
            cwd=copy,
            capture_output=True,
            text=True,
        )
        if made.returncode:
            # A catalogue gettext cannot read (a msgid given twice after a merge, say).
            raise SystemExit(f"makemessages failed:\n{made.stderr[-2000:]}")
        missing = []
        for option in ("--untranslated", "--only-fuzzy"):
            result = subprocess.run(
                ["msgattrib", option, "--no-obsolete", str(copy / CATALOGUE)],
                check=True,
                capture_output=True,
                text=True,
            )
            missing += _msgids(result.stdout)
        return sorted(set(missing))


def main() -> int:
    hidden = calls_in_fstrings()
    for place in hidden:
        print(f"translation call inside an f-string (xgettext never sees it): {place}")
    missing = untranslated()
    for msgid in missing:
        print(f"untranslated: {msgid}")
    if missing:
        print(f"{len(missing)} string(s) lack a zh-Hans translation in {CATALOGUE}")
        return 1
    return 1 if hidden else 0


if __name__ == "__main__":
    sys.exit(main())

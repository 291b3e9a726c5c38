"""Search text that might be an ID number, however it was typed: it never goes into an address,
a link or a log (households.list_search, the language switch's `next`)."""

import re
import unicodedata
from urllib.parse import urlencode, urlsplit

# What might be an ID number once spaces, dashes and full-width digits are set aside: an old
# 15-digit number, 17 digits (the check character missing), a whole 18-character number, or
# any run of digits longer than a household's 16-digit number (one digit too many, a number
# typed twice). None of it is ever redirected to, echoed, or kept in a link.
_ID_LIKE = re.compile(r"[0-9]{15}|[0-9]{17}|[0-9]{17}[0-9Xx]")
_LONG_RUN = re.compile(r"[0-9]{17,}")
_SEPARATORS = re.compile(r"[\s\-]+")


def normalised(text: str) -> str:
    """The search text as a number is read: NFKC (full-width digits to ASCII), no spaces or
    dashes (the same as static/js/list-filter.js does before it picks GET or POST)."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or ""))


def id_like(text: str) -> bool:
    plain = normalised(text)
    return _ID_LIKE.fullmatch(plain) is not None or _LONG_RUN.search(plain) is not None


def query_pairs_without_id(query) -> list[tuple[str, str]]:
    """A QueryDict's pairs, those with an ID-like key or value left out."""
    pairs = [(key, value) for key, values in query.lists() for value in values]
    return [(key, value) for key, value in pairs if not id_like(key) and not id_like(value)]


def path_without_id(request) -> str:
    """The request's path and query, an ID-like search left out (a language switch's `next`)."""
    full = request.get_full_path()
    kept = query_pairs_without_id(request.GET)
    if len(kept) == sum(len(values) for _key, values in request.GET.lists()):
        return full
    return urlsplit(full).path + (f"?{urlencode(kept)}" if kept else "")

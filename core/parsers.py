"""The API's JSON parser: refuses what would otherwise end in a 500.

- Nesting. Python's json module recurses once per level: `[` × 50,000 raised RecursionError
  inside the parser, a 500 to anyone, signed in or not. No request of this API nests deeper than
  a few levels (a signal batch is an object of a list of objects), so more than MAX_DEPTH is
  refused, and the interpreter's own limit is caught too.
- Lone surrogates. A `\\ud800` escape is valid JSON but no text: it cannot be encoded as UTF-8,
  so it fails wherever it goes next (the database, a log line, a page). DRF's CharField refuses
  it, but a dict or JSON field would carry it on; refused here, once, for every field.
- Size. The body is read through Django's `request.body` (DRF does that for a JSON parser), which
  stops at DATA_UPLOAD_MAX_MEMORY_SIZE; the exception handler (core/api.py) answers 413.
"""

import re

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import (  # type: ignore[attr-defined]  # DRF's stubs omit get_encoding
    JSONParser,
    get_encoding,
)
from rest_framework.settings import api_settings
from rest_framework.utils import json as drf_json

MAX_DEPTH = 32
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _too_deep() -> ParseError:
    return ParseError(
        _("The request body is nested more than %(depth)d levels deep.") % {"depth": MAX_DEPTH}
    )


def _check(data, text: str) -> None:
    """Raise ParseError for nesting beyond MAX_DEPTH or a lone surrogate, without recursing.

    Only a `\\uD800`-`\\uDFFF` escape makes a surrogate (a decoded body has none), and only
    MAX_DEPTH brackets can nest that deep: most bodies are let through on a look at their text.
    """
    strings = _ESCAPED_SURROGATE.search(text) is not None
    deep = text.count("[") + text.count("{") > MAX_DEPTH
    pending = [(data, 1)] if strings or deep else []
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                raise ParseError(_("The request body contains text that is not valid Unicode."))
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise _too_deep()
        items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
        pending.extend(
            (item, depth + 1)
            for item in items
            if isinstance(item, dict | list) or (strings and isinstance(item, str))
        )


class BoundedJSONParser(JSONParser):
    """DRF's JSONParser with a depth limit, a text check and a translated error."""

    def parse(self, stream, media_type=None, parser_context=None):
        # DRF's own choice of charset, which refuses bytes-to-bytes codecs (bz2 bombs).
        encoding = get_encoding(parser_context or {})
        # NaN and Infinity are not JSON; DRF refuses them too (STRICT_JSON).
        parse_constant = drf_json.strict_constant if api_settings.STRICT_JSON else None
        try:
            text = stream.read().decode(encoding)
            data = drf_json.loads(text, parse_constant=parse_constant)
        except RecursionError:
            raise _too_deep() from None
        except ValueError as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise ParseError(
                _("The request body is not valid JSON: %(error)s") % {"error": error}
            ) from None
        _check(data, text)
        return data

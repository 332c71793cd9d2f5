"""JSON that comes from outside (a share link, a command line), read so that nothing in it can hurt later."""
from __future__ import annotations

import json
import math

JSON_MAX_CHARS = 65_536        # a link's params or filters: far more than any link this app writes
JSON_MAX_DEPTH = 8             # this app's links nest two deep; json.loads recurses once a level
JSON_MAX_DIGITS = 18           # no count or bound is longer; 4,301 digits would raise an error about Python's limit


class NotJSON(ValueError):
    """The text is not JSON at all (rather than JSON that `read_json` refuses)."""


def read_json(text: str):
    """JSON from outside (a link, a command line), refusing with a ValueError what this app never writes and
    what would hurt later: a text longer than JSON_MAX_CHARS, nesting deeper than JSON_MAX_DEPTH (json.loads
    would end in a RecursionError), NaN, Infinity and numbers too large for a float (1e999 reads as inf)."""
    if len(text) > JSON_MAX_CHARS:
        raise ValueError(f"it is longer than {JSON_MAX_CHARS:,} characters.")
    if _nests_deeper_than(text, JSON_MAX_DEPTH):
        raise ValueError(f"it nests deeper than {JSON_MAX_DEPTH} levels.")
    try:
        return json.loads(text, parse_constant=_not_finite, parse_float=_finite_float, parse_int=_bounded_whole)
    except json.JSONDecodeError:
        raise NotJSON("it is not valid JSON.") from None


def _nests_deeper_than(text: str, limit: int) -> bool:
    """True when the JSON text opens more than `limit` brackets at once (brackets inside strings do not count);
    a loop, not a parser, so that no nesting can exhaust the stack."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if escaped:
            escaped = False
        elif in_string:
            escaped, in_string = char == "\\", char != '"'
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _not_finite(text: str):
    raise ValueError(f"it holds {text}; only finite numbers are allowed.")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        _not_finite(text[:20])
    return number


def _bounded_whole(text: str) -> int:
    if len(text.lstrip("-")) > JSON_MAX_DIGITS:
        raise ValueError(f"it holds a whole number of more than {JSON_MAX_DIGITS} digits.")
    return int(text)

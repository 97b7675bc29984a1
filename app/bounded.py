"""Reading what outsiders send within bounds: ids that fit a database integer, JSON of sane size."""

import json

from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1  # the largest BIGINT; SQLite raises OverflowError past it


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: digits up to 2^63 - 1; anything larger is a 404, not a 500."""

    regex = r"[0-9]+"  # werkzeug's \d also matches "١٢٣", which int() then reads as 123

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def parse_id(raw) -> int | None:
    """A positive id from a form or a payload (ASCII digits only), or None."""
    text = str(raw).strip() if isinstance(raw, str | int) and not isinstance(raw, bool) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


class PayloadError(ValueError):
    pass


def nesting_depth(text: str) -> int:
    """How deeply a JSON text nests its arrays and objects (brackets inside strings ignored)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def load_json(text: str, *, max_chars: int = 256 * 1024, max_depth: int = 32):
    """Parse JSON from outside; PayloadError when it is not JSON, too large or too deep."""
    if len(text) > max_chars:
        raise PayloadError(f"larger than {max_chars // 1024} KiB")
    if nesting_depth(text) > max_depth:
        raise PayloadError(f"nested deeper than {max_depth} levels")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise PayloadError("not JSON") from exc

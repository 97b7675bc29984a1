"""What the fuzz sends: hostile text, numbers, files in text fields and JSON bodies."""

import io
import json

from hypothesis import strategies as st

BIG = 2**63
# Any character but a lone surrogate (no client can send one), NUL and controls included.
CHARACTERS = st.characters(exclude_categories=("Cs",))
TEXT = st.text(CHARACTERS, max_size=40)
WITH_NUL = st.tuples(TEXT, TEXT).map(lambda pair: pair[0] + "\x00" + pair[1])
NUMBERS = st.one_of(
    st.integers(min_value=BIG),
    st.integers(max_value=-BIG - 1),
    st.integers(min_value=-1000, max_value=1000),
    st.sampled_from([BIG, BIG - 1, 2**64, -(2**63) - 1, -1, 0]),
).map(str)
FLOATS = st.one_of(
    st.sampled_from(["nan", "NaN", "inf", "-inf", "Infinity", "1e999", "-1e999", "1e-999"]),
    st.sampled_from(["0.5", "-0.0", "1e3", "1_000", "0x1f", " 7 ", "7 ", "²", "١٢٣", "Ⅻ"]),
    st.floats().map(repr),
)
# 100 kB and more of one character, made at once: drawing each character would be slow.
HUGE = st.tuples(st.sampled_from("a7 <%\x00é🎬"), st.integers(100_000, 160_000)).map(
    lambda pair: pair[0] * pair[1]
)
WORDS = st.sampled_from(
    [
        "",
        " ",
        "on",
        "off",
        "1",
        "y",
        "true",
        "admin",
        "owner",
        "movie",
        "tv",
        "approve",
        "decline",
        "../../../../etc/passwd",
        "%2e%2e%2f",
        "<script>alert(1)</script>",
        "javascript:alert(1)",
        "\r\nSet-Cookie: evil=1",
        "00:00",
        "25:61",
        "2026-02-30",
    ]
)
VALUES = st.one_of(TEXT, WITH_NUL, NUMBERS, FLOATS, HUGE, WORDS)
# Headers carry printable ASCII only: the test client refuses anything else before sending.
HEADER_VALUES = st.one_of(
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60),
    NUMBERS,
    FLOATS.filter(str.isascii),
    st.sampled_from(["1.0.0", "0.2.2", "application/offset+octet-stream", "filename ZGF0YQ=="]),
)
FILE_PART = st.tuples(st.binary(max_size=64), TEXT).map(
    lambda pair: (io.BytesIO(pair[0]), pair[1] or "evil.bin")
)


def deep(levels: int, list_form: bool) -> str:
    if list_form:
        return "[" * levels + "]" * levels
    return '{"a":' * levels + "1" + "}" * levels


JSON_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    TEXT,
)


def json_texts(keys: list[str]) -> st.SearchStrategy[str]:
    """JSON as an outside service could send it: nested 10,000 levels, megabytes, NaN, odd keys."""
    names = st.sampled_from(keys) if keys else TEXT

    def containers(inner):
        return st.lists(inner, max_size=4) | st.dictionaries(names | TEXT, inner, max_size=4)

    shaped = st.recursive(JSON_LEAVES, containers, max_leaves=20)
    return st.one_of(
        shaped.map(json.dumps),
        st.tuples(st.sampled_from([10_000, 100_000]), st.booleans()).map(lambda t: deep(*t)),
        st.integers(1, 3).map(lambda n: json.dumps({"pad": "x" * 1_000_000 * n})),
        TEXT,
        st.sampled_from(["", "null", "NaN", "1e999", '"x"', "[1,", "{}" * 1000]),
    )

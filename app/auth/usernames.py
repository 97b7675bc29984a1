"""Usernames from outside (Plex, single sign-on) made to follow the local rules and look unique.

A name is normalised (NFKC), loses control, format and bidi characters, is spelled in the
letters a local name may use, and gets a suffix when it would look like someone else's.
"""

import re
import unicodedata

# Cyrillic and Greek letters spelled in Latin ones: readable names, and "оwner" (Cyrillic о)
# becomes "owner", which the confusable check then tells apart from the real one.
_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщыэюяєіїґў",
        (
            "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch y e yu ya ye i yi g u"
        ).split(),
        strict=True,
    )
)
_GREEK = dict(
    zip(
        "αβγδεζηθικλμνξοπρστυφχψωάέήίόύώςϊϋ",
        "a v g d e z i th i k l m n x o p r s t y f ch ps o a e i i o y o s i y".split(),
        strict=True,
    )
)
TRANSLITERATION = {**_CYRILLIC, **_GREEK, "ъ": "", "ь": ""}
TRANSLITERATION.update({k.upper(): v.capitalize() for k, v in list(TRANSLITERATION.items())})
TRANSLITERATION.update({"ß": "ss", "æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "đ": "d", "ł": "l"})

MIN_LENGTH, MAX_BASE = 3, 28  # a local name has 3 to 32 characters; room for a "-12" suffix
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9_.-]+")
# Characters and pairs that look alike in most fonts, folded for the "looks like" comparison.
_LOOKALIKE_PAIRS = (("rn", "m"), ("vv", "w"), ("cl", "d"))
_LOOKALIKE_CHARS = str.maketrans({"0": "o", "1": "l", "i": "l", "|": "l", "5": "s", "_": "-"})


def visible(text: str) -> str:
    """The text without control, format (bidi, zero-width) or unassigned characters."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")


def clean_username(raw: str | None, fallback: str = "user") -> str:
    """A name that follows the local username rules, as close to `raw` as they allow."""
    text = visible(unicodedata.normalize("NFKC", raw or ""))
    text = "".join(TRANSLITERATION.get(ch, ch) for ch in text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()  # ö -> o
    text = _NOT_ALLOWED.sub("-", text).strip("-._")[:MAX_BASE].strip("-._")
    if len(text) < MIN_LENGTH:
        return f"{text}-{fallback}" if text else fallback
    return text


def skeleton(name: str) -> str:
    """What a name looks like: two names with one skeleton are easily mistaken for each other."""
    folded = name.lower()
    for pair, single in _LOOKALIKE_PAIRS:
        folded = folded.replace(pair, single)
    return folded.translate(_LOOKALIKE_CHARS)

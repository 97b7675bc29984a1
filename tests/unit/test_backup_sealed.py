"""The sealed stream: what goes in comes out with the passphrase, and any change fails."""

import io
import struct
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from app.backups import sealed
from app.backups.sealed import SealedReader, SealedWriter, SealError
from app.backups.services import to_keep

SECRET = "correct horse battery staple"


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(sealed, "CHUNK", 1000)
    monkeypatch.setattr(sealed, "SCRYPT", {"n": 2**10, "r": 8, "p": 1})  # quick, same code


def seal(data: bytes) -> bytes:
    out = io.BytesIO()
    writer = SealedWriter(out, SECRET, {"schema": "0019"})
    for start in range(0, len(data), 333):
        writer.write(data[start : start + 333])
    writer.close()
    return out.getvalue()


def unseal(blob: bytes, secret: str = SECRET) -> bytes:
    return SealedReader(io.BytesIO(blob), secret).read()


def chunks(blob: bytes) -> tuple[bytes, list[bytes]]:
    """The header part and each chunk (with its length) of a sealed blob."""
    at = len(sealed.MAGIC)
    at += 4 + struct.unpack(">I", blob[at : at + 4])[0]
    head, parts = blob[:at], []
    while at < len(blob):
        length = struct.unpack(">I", blob[at : at + 4])[0]
        parts.append(blob[at : at + 4 + length])
        at += 4 + length
    return head, parts


DATA = bytes(range(256)) * 20  # 5,120 bytes: six chunks


def test_what_is_sealed_opens_with_the_passphrase_and_holds_no_plain_text():
    blob = seal(DATA)
    assert unseal(blob) == DATA
    assert DATA[:64] not in blob and SECRET.encode() not in blob
    assert len(chunks(blob)[1]) == 6
    assert unseal(seal(b"")) == b""


def test_a_wrong_passphrase_is_told_apart_from_a_changed_archive():
    blob = seal(DATA)
    with pytest.raises(SealError, match="passphrase is wrong"):
        unseal(blob, "not the passphrase")
    changed = bytearray(blob)
    changed[-10] ^= 1
    with pytest.raises(SealError, match="changed or is cut off"):
        unseal(bytes(changed))


@pytest.mark.parametrize("how", ["last chunk dropped", "chunks swapped", "cut mid-chunk"])
def test_a_cut_or_reordered_archive_fails(how):
    head, parts = chunks(seal(DATA))
    if how == "last chunk dropped":
        blob = head + b"".join(parts[:-1])
    elif how == "chunks swapped":
        blob = head + parts[1] + parts[0] + b"".join(parts[2:])
    else:
        blob = (head + b"".join(parts))[:-7]
    with pytest.raises(SealError):
        unseal(blob)


def test_the_header_is_checked_too():
    blob = seal(DATA)
    with pytest.raises(SealError, match="not a MediaNest backup"):
        unseal(b"PK\x03\x04" + blob)
    swapped = blob.replace(b'"0019"', b'"0020"')
    with pytest.raises(SealError):
        unseal(swapped)


def test_retention_keeps_the_newest_of_each_day_week_and_month():
    now = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    # Two a day for 100 days, newest first.
    rows = [SimpleNamespace(id=n, created_at=now - timedelta(hours=12 * n)) for n in range(200)]
    kept = to_keep(rows, 7, 4, 6)
    days = {rows[i].created_at.date() for i in kept}
    # The newest of its day: today's 02:00 one, then each earlier day's 14:00 one.
    assert 0 in kept and all(i % 2 == 1 for i in kept - {0})
    assert len([i for i in kept if i < 14]) == 7  # the last 7 days
    months = {(rows[i].created_at.year, rows[i].created_at.month) for i in kept}
    assert len(months) == 5  # 100 days reach back to August: each month keeps one
    assert len(kept) <= 7 + 4 + 6 and len(days) == len(kept)
    assert to_keep(rows, 1, 0, 0) == {0}
    assert to_keep([], 7, 4, 6) == set()

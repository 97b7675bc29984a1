"""The sealed archive: a stream encrypted with AES-256-GCM under a key scrypt derives from the
admin's passphrase, in chunks, so memory stays flat whatever the size of the database.

Layout: MAGIC, a 4-byte length and a JSON header (format, scrypt parameters, salt, nonce prefix,
a key check, and what the archive holds), then chunks of a 4-byte length and the ciphertext.
Every chunk is authenticated together with the header; its nonce carries its number and whether
it is the last, so a reordered, dropped, changed or cut-off archive fails to open.
"""

import base64
import hashlib
import hmac
import json
import os
import struct
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"MEDIANEST-BACKUP\n"
FORMAT = 1
CHUNK = 1024 * 1024
SCRYPT = {"n": 2**15, "r": 8, "p": 1}  # about 32 MB and a tenth of a second to derive
MAX_HEADER = 64 * 1024
_LENGTH = struct.Struct(">I")


class SealError(Exception):
    """The archive cannot be opened; the message says why in plain words."""


def _key(passphrase: str, salt: bytes, params: dict) -> bytes:
    kdf = Scrypt(salt=salt, length=32, n=params["n"], r=params["r"], p=params["p"])
    return kdf.derive(passphrase.encode())


def _check(key: bytes) -> str:
    """A value that tells a wrong passphrase apart from a changed archive, and gives away
    nothing of the key."""
    return base64.b64encode(hmac.new(key, b"medianest key check", hashlib.sha256).digest()).decode()


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", number) + (b"\x01" if last else b"\x00")


class SealedWriter:
    """A file-like object: what is written to it lands encrypted in `out`."""

    def __init__(self, out: BinaryIO, passphrase: str, about: dict):
        salt, self._prefix = os.urandom(16), os.urandom(7)
        key = _key(passphrase, salt, SCRYPT)
        header = {
            "format": FORMAT,
            "kdf": "scrypt",
            **SCRYPT,
            "salt": base64.b64encode(salt).decode(),
            "nonce": base64.b64encode(self._prefix).decode(),
            "check": _check(key),
            "chunk": CHUNK,
            "about": about,
        }
        self._header = json.dumps(header, sort_keys=True).encode()
        self._aead, self._out, self._buffer, self._number = AESGCM(key), out, bytearray(), 0
        out.write(MAGIC + _LENGTH.pack(len(self._header)) + self._header)

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:  # the last chunk is kept back until close
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def flush(self) -> None:
        self._out.flush()

    def close(self) -> None:
        self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()
        self._out.flush()

    def _seal(self, plain: bytes, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._prefix, self._number, last), plain, self._header)
        self._out.write(_LENGTH.pack(len(sealed)) + sealed)
        self._number += 1


def read_header(source: BinaryIO) -> tuple[bytes, dict]:
    if source.read(len(MAGIC)) != MAGIC:
        raise SealError("This is not a MediaNest backup.")
    raw = source.read(_LENGTH.size)
    length = _LENGTH.unpack(raw)[0] if len(raw) == _LENGTH.size else 0
    if not 0 < length <= MAX_HEADER:
        raise SealError("The backup's header is damaged.")
    header_bytes = source.read(length)
    try:
        header = json.loads(header_bytes)
        if header["format"] != FORMAT:
            raise SealError("This backup was made in a format this MediaNest does not read.")
        base64.b64decode(header["salt"]), base64.b64decode(header["nonce"])
    except (ValueError, KeyError, TypeError) as exc:
        raise SealError("The backup's header is damaged.") from exc
    return header_bytes, header


class SealedReader:
    """A file-like object reading the plain stream back; raises SealError on a wrong
    passphrase and on any change to the archive."""

    def __init__(self, source: BinaryIO, passphrase: str):
        self._header_bytes, self.header = read_header(source)
        h = self.header
        try:
            key = _key(passphrase, base64.b64decode(h["salt"]), h)
        except (KeyError, TypeError, ValueError) as exc:
            raise SealError("The backup's header is damaged.") from exc
        if not hmac.compare_digest(_check(key), str(h.get("check", ""))):
            raise SealError("The passphrase is wrong for this backup.")
        self._aead, self._prefix = AESGCM(key), base64.b64decode(h["nonce"])
        self._source, self._number, self._plain, self._done = source, 0, b"", False
        self._next = self._read_chunk()

    def _read_chunk(self) -> bytes | None:
        raw = self._source.read(_LENGTH.size)
        if not raw:
            return None
        if len(raw) < _LENGTH.size:
            raise SealError("The backup is cut off.")
        length = _LENGTH.unpack(raw)[0]
        if length > CHUNK + 16:
            raise SealError("The backup is damaged.")
        sealed = self._source.read(length)
        if len(sealed) < length:
            raise SealError("The backup is cut off.")
        return sealed

    def _open_next(self) -> None:
        sealed = self._next
        if sealed is None:
            raise SealError("The backup is cut off.")
        self._next = self._read_chunk()
        last = self._next is None
        try:
            nonce = _nonce(self._prefix, self._number, last)
            self._plain += self._aead.decrypt(nonce, sealed, self._header_bytes)
        except InvalidTag as exc:
            raise SealError("The backup was changed or is cut off: it fails its check.") from exc
        self._number += 1
        self._done = last

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._plain) < size):
            self._open_next()
        if size < 0:
            size = len(self._plain)
        out, self._plain = self._plain[:size], self._plain[size:]
        return out

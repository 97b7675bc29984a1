"""One backup as one file: the database copy, a manifest and the small state files of the data
folder (the secret key, the cookies file; never media, caches or Redis), as a gzipped tar
sealed with the passphrase (see sealed.py).

The file is written under a hidden name and renamed when whole, so a full disk or a killed job
never leaves a partial backup under a backup's name.
"""

import hashlib
import io
import json
import os
import re
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.backups import dumps
from app.backups.sealed import SealedReader, SealedWriter, SealError
from app.models.base import utcnow

FORMAT = 1
STATE_LIMIT = 10 * 1024 * 1024  # a state file larger than this is not state
_STATE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_NOT_STATE = re.compile(r"(medianest\.db|redis\.rdb).*|.*\.(db|sqlite3?|rdb|tmp|part)(-\w+)?")
SUFFIX = ".mnbackup"


@dataclass
class Made:
    path: Path
    size: int
    sha256: str
    manifest: dict


def state_files(data_dir: Path) -> list[Path]:
    """The small files at the top of the data folder that a restore needs back."""
    found = []
    for path in sorted(data_dir.iterdir()) if data_dir.is_dir() else []:
        if not path.is_file() or path.is_symlink() or not _STATE_NAME.fullmatch(path.name):
            continue
        if _NOT_STATE.fullmatch(path.name) or path.stat().st_size > STATE_LIMIT:
            continue
        found.append(path)
    return found


class _Hashing(io.RawIOBase):
    """Writes through to a file, hashing and counting what passes."""

    def __init__(self, out):
        self.out, self.hash, self.size = out, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.out.write(data)
        self.hash.update(data)
        self.size += len(data)
        return len(data)


def file_name(backup_id: int, when=None) -> str:
    """Sorted by time; the registry number keeps two made in one second apart."""
    return f"medianest-{(when or utcnow()):%Y%m%d-%H%M%S}-{backup_id}{SUFFIX}"


def make(folder: Path, name: str, passphrase: str, data_dir: Path, about: dict) -> Made:
    """Write the backup `name` into folder; returns where it is, its size and checksum."""
    folder.mkdir(parents=True, exist_ok=True)
    dest, partial = folder / name, folder / f".{name}.partial"
    try:
        with tempfile.TemporaryDirectory(prefix=".dump-", dir=folder) as work:
            dump_name, rows, schema = dumps.dump(Path(work))
            files = state_files(data_dir)
            manifest = {
                "format": FORMAT,
                "created_at": utcnow().isoformat(),
                "database": dumps.kind(),
                "schema": schema,
                "dump": dump_name,
                "rows": rows,
                "files": [p.name for p in files],
                **about,
            }
            with partial.open("wb") as raw:
                os.chmod(partial, 0o600)
                hashing = _Hashing(raw)
                sealed = SealedWriter(hashing, passphrase, {"schema": schema, **about})
                with tarfile.open(fileobj=sealed, mode="w|gz") as tar:
                    _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=1).encode())
                    tar.add(Path(work) / dump_name, arcname=dump_name)
                    for path in files:
                        tar.add(path, arcname=f"data/{path.name}")
                sealed.close()
                raw.flush()
                os.fsync(raw.fileno())
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)
    return Made(dest, hashing.size, hashing.hash.hexdigest(), manifest)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(utcnow().timestamp()), 0o600
    tar.addfile(info, io.BytesIO(data))


def checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _allowed(name: str) -> bool:
    if name in ("manifest.json", dumps.SQLITE_FILE, dumps.POSTGRES_FILE):
        return True
    head, _, tail = name.partition("/")
    return head == "data" and bool(_STATE_NAME.fullmatch(tail))


def open_into(path: Path, passphrase: str, into: Path) -> dict:
    """Decrypt and unpack the backup into the folder `into`; returns its manifest. Raises
    SealError when the passphrase is wrong or the archive was changed or cut off; nothing
    outside `into` is written."""
    with path.open("rb") as raw:
        reader = SealedReader(raw, passphrase)
        try:
            with tarfile.open(fileobj=reader, mode="r|gz") as tar:
                for member in tar:
                    if not member.isfile() or not _allowed(member.name):
                        raise SealError(f"The backup holds something unexpected: {member.name!r}.")
                    dest = into / member.name
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    with tar.extractfile(member) as source, dest.open("wb") as out:
                        for block in iter(lambda: source.read(1024 * 1024), b""):
                            out.write(block)
            reader.read()  # to the end: the last chunk's tag proves nothing was cut off
        except (tarfile.TarError, EOFError, OSError) as exc:
            if isinstance(exc, OSError) and exc.errno == 28:
                raise
            raise SealError("The backup is damaged inside.") from exc
    try:
        manifest = json.loads((into / "manifest.json").read_text())
        dump = manifest["dump"]
        if manifest["format"] != FORMAT or dump not in (dumps.SQLITE_FILE, dumps.POSTGRES_FILE):
            raise ValueError
        if not (into / dump).is_file():
            raise ValueError
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SealError("The backup has no readable manifest.") from exc
    return manifest

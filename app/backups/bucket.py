"""The bucket target: an S3-compatible bucket (AWS S3, MinIO, Backblaze B2, Wasabi) that holds a
copy of each backup. This module only talks to the bucket; offsite.py decides when."""

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from app import settings

BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
PROBE_KEY = ".medianest-probe"
READ_CHUNK = 1 << 20
# Parts of 64 MiB: a backup of some GB goes up in a few dozen requests, each retried alone.
TRANSFER = TransferConfig(multipart_threshold=64 << 20, multipart_chunksize=64 << 20)


class BucketError(Exception):
    """The bucket could not be used; the message says why in words."""


@dataclass(frozen=True)
class Bucket:
    endpoint: str  # empty: AWS S3 itself
    region: str
    name: str
    prefix: str
    access_key: str
    secret_key: str

    def key_for(self, filename: str) -> str:
        return f"{self.prefix}{filename}"

    @property
    def where(self) -> str:
        host = self.endpoint or "AWS S3"
        return f"{self.name} at {host}"


def configured() -> Bucket | None:
    """The bucket the admin set up and switched on, or None."""
    if not settings.get("backup.s3_enabled"):
        return None
    found = saved()
    return found if found.name and found.access_key and found.secret_key else None


def saved() -> Bucket:
    return Bucket(
        endpoint=settings.get("backup.s3_endpoint"),
        region=settings.get("backup.s3_region") or "us-east-1",
        name=settings.get("backup.s3_bucket"),
        prefix=settings.get("backup.s3_prefix"),
        access_key=settings.get("backup.s3_access_key"),
        secret_key=settings.get("backup.s3_secret_key"),
    )


def _client(bucket: Bucket):
    config = Config(
        connect_timeout=5,
        read_timeout=60,
        retries={"max_attempts": 3, "mode": "standard"},
        # Path-style addressing works with every S3-compatible server; AWS picks its own.
        s3={"addressing_style": "path" if bucket.endpoint else "auto"},
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=bucket.endpoint or None,
        region_name=bucket.region,
        aws_access_key_id=bucket.access_key,
        aws_secret_access_key=bucket.secret_key,
        config=config,
    )


WORDS = {
    "NoSuchBucket": "The bucket {name} does not exist.",
    "AccessDenied": "The keys may not use the bucket {name}.",
    "InvalidAccessKeyId": "The access key is not known there.",
    "SignatureDoesNotMatch": "The secret key does not match the access key.",
    "AuthorizationHeaderMalformed": "The region does not match the bucket's ({region} was used).",
    "PermanentRedirect": "The bucket is in another region than {region}.",
    "NoSuchKey": "The copy is not in the bucket.",
    "404": "The copy is not in the bucket.",
}


def _words(bucket: Bucket, exc: Exception) -> str:
    if isinstance(exc, S3UploadFailedError):  # what the bucket said, under boto3's wrapping
        exc = exc.__cause__ or exc.__context__ or exc
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        known = WORDS.get(code)
        if known:
            return known.format(name=bucket.name, region=bucket.region)
        said = exc.response.get("Error", {}).get("Message", "")
        return f"The bucket answered {code or 'an error'}: {said}".rstrip(": ")
    if isinstance(exc, BotoCoreError):
        return f"{bucket.endpoint or 'AWS S3'} could not be reached: {exc}"
    return str(exc)


def _calling(bucket: Bucket, call):
    try:
        return call(_client(bucket))
    except (BotoCoreError, ClientError, S3UploadFailedError, ValueError) as exc:
        raise BucketError(_words(bucket, exc)) from exc


def put(bucket: Bucket, path: Path, key: str) -> None:
    _calling(bucket, lambda s3: s3.upload_file(str(path), bucket.name, key, Config=TRANSFER))


def checksum(bucket: Bucket, key: str) -> str:
    """The sha256 of the copy, read back in full from the bucket."""

    def read(s3) -> str:
        digest = hashlib.sha256()
        body = s3.get_object(Bucket=bucket.name, Key=key)["Body"]
        for chunk in iter(lambda: body.read(READ_CHUNK), b""):
            digest.update(chunk)
        return digest.hexdigest()

    return _calling(bucket, read)


def delete(bucket: Bucket, key: str) -> None:
    _calling(bucket, lambda s3: s3.delete_object(Bucket=bucket.name, Key=key))


def stream(bucket: Bucket, key: str) -> tuple[int, Iterator[bytes]]:
    """The copy's size and its bytes, for a download through MediaNest."""
    found = _calling(bucket, lambda s3: s3.get_object(Bucket=bucket.name, Key=key))
    body = found["Body"]
    return found["ContentLength"], iter(lambda: body.read(READ_CHUNK), b"")


def probe(bucket: Bucket) -> str:
    """Write, read back and remove a small object: what a backup will need, in words."""
    key, marker = bucket.key_for(PROBE_KEY), b"MediaNest can write here.\n"

    def round_trip(s3) -> None:
        s3.put_object(Bucket=bucket.name, Key=key, Body=marker)
        if s3.get_object(Bucket=bucket.name, Key=key)["Body"].read() != marker:
            raise BucketError("The bucket gave back something other than what was written.")
        s3.delete_object(Bucket=bucket.name, Key=key)

    _calling(bucket, round_trip)
    return f"Wrote, read back and removed a test object in {bucket.where}."

"""The disk fills up mid-upload: two uploads both fit when they start, the first takes the last
space, and the second is told the disk is full with what it kept, then goes on where it stopped
once space is freed. The web process runs on a small tmpfs in a mount namespace of its own."""

import base64
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from app.extensions import db
from app.models.uploads import UPLOADED, UPLOADING, Upload
from tests.conftest import PASSWORD, ROOT, worker_env

NO_MOUNT = 97  # the exit status that says the small disk could not be made
DISK = 4 * 1024 * 1024
FILE = 3 * 1024 * 1024  # two fit when they are asked for; only one fits on the disk
CHUNK = 512 * 1024
TUS = {"Tus-Resumable": "1.0.0"}
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')

SERVE = """
import sys
from werkzeug.serving import run_simple
from app import create_app
run_simple("127.0.0.1", int(sys.argv[1]), create_app(), threaded=True)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def web_on_small_disk(app):
    """A web process whose incoming-uploads folder is a tmpfs of DISK bytes."""
    folder = Path(app.config["DATA_DIR"]) / "uploads" / "incoming"
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    mount = f"mount -t tmpfs -o size={DISK} tmpfs {folder} || exit {NO_MOUNT}"
    command = ["unshare", "-m", "sh", "-c", f'{mount}; exec "$0" "$@"']
    command += [sys.executable, "-c", SERVE, str(port)]
    process = subprocess.Popen(
        command, cwd=ROOT, env=worker_env(app), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            output = process.stdout.read().decode()
            if process.returncode == NO_MOUNT or output.startswith("unshare:"):
                pytest.skip(f"cannot mount a small tmpfs here: {output.strip()}")
            raise RuntimeError(output)
        try:
            requests.get(base + "/health/live", timeout=1)
            break
        except requests.ConnectionError:
            assert time.monotonic() < deadline, "the web process did not start"
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=20)


def signed_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    token = TOKEN.search(session.get(base + "/login", timeout=10).text).group(1)
    answer = session.post(
        base + "/login",
        data={"csrf_token": token, "username": username, "password": PASSWORD},
        timeout=10,
    )
    assert answer.ok and "/login" not in answer.url
    page = session.get(base + "/uploads", timeout=10).text
    session.headers.update({"X-CSRFToken": TOKEN.search(page).group(1), **TUS})
    return session


def create(session, base: str, name: str) -> str:
    name64 = base64.b64encode(name.encode()).decode()
    answer = session.post(
        base + "/uploads/files",
        headers={"Upload-Length": str(FILE), "Upload-Metadata": f"filename {name64}"},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return answer.headers["Location"]


def send(session, location: str, body: bytes, upto: int = FILE) -> requests.Response:
    """Send body up to `upto` from where the server says the upload is, chunk by chunk."""
    at = int(session.head(location, timeout=10).headers["Upload-Offset"])
    while True:
        answer = session.patch(
            location,
            data=body[at : min(at + CHUNK, upto)],
            headers={"Upload-Offset": str(at), "Content-Type": "application/offset+octet-stream"},
            timeout=30,
        )
        if answer.status_code != 204:
            return answer
        at = int(answer.headers["Upload-Offset"])
        if at == upto:
            return answer


def test_a_full_disk_mid_upload_is_told_keeps_what_arrived_and_resumes(
    app, auth, web_on_small_disk
):
    base = web_on_small_disk
    auth.owner()
    auth.create("alice")
    alice = signed_in(base, "alice")
    first, second = create(alice, base, "first.mp4"), create(alice, base, "second.mp4")
    body = bytes(range(256)) * (FILE // 256)

    assert send(alice, first, body, upto=FILE - CHUNK).status_code == 204

    full = send(alice, second, body)
    kept = int(full.headers["Upload-Offset"])
    print(f"\nthe second upload stopped at {kept} of {FILE} bytes on a {DISK}-byte disk")
    assert full.status_code == 507 and "disk is full" in full.text
    assert 0 < kept < FILE
    assert int(alice.head(second, timeout=10).headers["Upload-Offset"]) == kept
    assert state_of(app, second) == UPLOADING

    # A new upload that cannot fit now is refused before a byte is stored.
    name64 = base64.b64encode(b"third.mp4").decode()
    refused = alice.post(
        base + "/uploads/files",
        headers={"Upload-Length": str(FILE), "Upload-Metadata": f"filename {name64}"},
        timeout=10,
    )
    assert refused.status_code == 507 and "not enough free space" in refused.text

    # Space is freed (the first is cancelled) and the second goes on where it stopped.
    assert alice.delete(first, timeout=10).status_code == 204
    assert state_of(app, first) is None
    assert send(alice, second, body).status_code == 204
    assert state_of(app, second) == UPLOADED


def state_of(app, location: str) -> str | None:
    with app.app_context():
        key = location.rstrip("/").rsplit("/", 1)[1]
        return db.session.scalars(select(Upload.state).where(Upload.key == key)).first()

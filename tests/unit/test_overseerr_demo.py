"""Demo mode's Overseerr knows the demo Plex accounts and finishes approved requests by itself."""

import time

import requests

from simulators import start_all
from simulators.registry import DEMO_OVERSEERR, DEMO_PLEX


def test_demo_overseerr_matches_the_demo_plex_accounts_and_finishes_requests():
    servers, environ = start_all()
    try:
        url, key = environ["MEDIANEST_OVERSEERR_URL"], environ["MEDIANEST_OVERSEERR_API_KEY"]
        assert environ["MEDIANEST_OVERSEERR_WEBHOOK_AUTH"].startswith("Bearer ")
        headers = {"X-Api-Key": key}
        users = requests.get(f"{url}/api/v1/user?take=50", headers=headers, timeout=5).json()
        by_plex = {u["plexId"]: u for u in users["results"]}
        for account in DEMO_PLEX["state"].accounts.values():
            assert account.id in by_plex, account.username
        owner = next(a for a in DEMO_PLEX["state"].accounts.values() if a.username == "owner")
        assert by_plex[owner.id]["id"] == 1  # the admin
        alice = next(u for u in users["results"] if u["username"] == "alice")
        created = requests.post(
            f"{url}/api/v1/request",
            json={"mediaType": "movie", "mediaId": 4242},
            headers={**headers, "X-Api-User": str(alice["id"])},
            timeout=5,
        ).json()
        assert created["status"] == 1
        state = DEMO_OVERSEERR["state"]
        state.auto_available_seconds = 0.2
        requests.post(f"{url}/api/v1/request/{created['id']}/approve", headers=headers, timeout=5)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            movie = requests.get(f"{url}/api/v1/movie/4242", headers=headers, timeout=5).json()
            if movie["mediaInfo"]["status"] == 5:
                break
            time.sleep(0.1)
        assert movie["mediaInfo"]["status"] == 5
        assert any(w["notification_type"] == "MEDIA_AVAILABLE" for w in state.sent_webhooks)
    finally:
        for server in servers:
            server.stop()

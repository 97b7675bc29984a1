"""Live downloads over the socket: progress bars from each event, cards read again on a change."""

from app.extensions import db
from app.models import Download
from app.realtime.events import publish
from tests.conftest import wait_for
from tests.integration import download_page_helpers
from tests.integration.download_page_helpers import a_download
from tests.integration.test_realtime import listening, live_socket, sign_in

people = download_page_helpers.people


def progress_event(download_id: int, item_id: int, **fields) -> dict:
    event = {"type": "download.progress", "download_id": download_id, "item_id": item_id}
    return {**event, "pct": 42.6, "speed": 1_500_000, "eta": 75, "status": "running", **fields}


def test_progress_reaches_the_bars_of_that_video_and_its_download(app, live_server, people):
    with app.app_context():
        download_id = a_download(people.alice, items=("running",))
    socket = live_socket(live_server, sign_in(live_server, "alice"))
    wait_for(lambda: listening(app) and app.extensions["medianest.hub"].socket_count() == 1)
    with app.app_context():
        publish(progress_event(download_id, 7), user_ids=[people.alice])
    message = socket.receive(timeout=5)
    assert 'id="dl-item-7-progress"' in message and f'id="dl-{download_id}-progress"' in message
    assert message.count('hx-swap-oob="true"') == 2
    assert message.count("43% · 1.5 MB/s · 1:15 left") == 2
    socket.close()


def test_odd_progress_events_show_no_bar_and_break_nothing(app, live_server, people):
    socket = live_socket(live_server, sign_in(live_server, "alice"))
    wait_for(lambda: listening(app) and app.extensions["medianest.hub"].socket_count() == 1)
    with app.app_context():
        publish(progress_event("1; drop", 2), user_ids=[people.alice])
        publish(progress_event(3, 4, pct="lots", speed=None, eta=None), user_ids=[people.alice])
    message = socket.receive(timeout=5)
    assert 'id="dl-item-4-progress"' in message and "0%" in message and "left" not in message
    socket.close()


def test_a_change_sends_the_card_and_rows_as_the_database_has_them(app, live_server, people):
    with app.app_context():
        download_id = a_download(people.alice, items=("finished", "failed"))
    socket = live_socket(live_server, sign_in(live_server, "alice"))
    wait_for(lambda: listening(app) and app.extensions["medianest.hub"].socket_count() == 1)
    with app.app_context():
        download = db.session.get(Download, download_id)
        download.status = "partial"
        db.session.commit()
        publish({"type": "download.changed", "download_id": download_id}, user_ids=[people.alice])
    message = socket.receive(timeout=5)
    assert f'<article id="dl-{download_id}" class="dl-card" hx-swap-oob="true">' in message
    assert f'id="dl-{download_id}-head"' in message
    assert "Partly done" in message and "1 of 2 videos" in message
    assert "This video is private." in message and ">Retry<" in message
    socket.close()


def test_a_change_to_someone_elses_download_shows_nothing(app, live_server, people):
    with app.app_context():
        bobs = a_download(people.bob, items=("finished",))
    socket = live_socket(live_server, sign_in(live_server, "alice"))
    wait_for(lambda: listening(app) and app.extensions["medianest.hub"].socket_count() == 1)
    with app.app_context():
        # Even were it published to alice by mistake, her page learns nothing of bob's download.
        publish({"type": "download.changed", "download_id": bobs}, user_ids=[people.alice])
    assert socket.receive(timeout=1) is None
    socket.close()

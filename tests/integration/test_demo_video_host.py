"""Demo mode: its video site stays allowed when a restart moves it to another port."""

import pytest

from app import settings
from app.downloads import services, setup
from app.downloads.urls import UrlRefused


def test_the_demo_site_is_allowed_though_the_saved_list_names_its_old_port(make_app):
    app = make_app(DEMO=True, DEMO_VIDEO_URL="http://127.0.0.1:45555")
    with app.app_context():
        # Saving Admin → Downloads in an earlier run stored that run's port.
        settings.put({"downloads.allowed_hosts": "127.0.0.1:41475"})
        assert setup.allowed_hosts() == ("127.0.0.1:41475", "127.0.0.1:45555")
        assert services.check_url("http://127.0.0.1:45555/feeds/top10.xml")


def test_without_the_demo_only_named_hosts_are_allowed(make_app):
    app = make_app(DEMO=False, DEMO_VIDEO_URL="http://127.0.0.1:45555")
    with app.app_context():
        settings.put({"downloads.allowed_hosts": "127.0.0.1:41475"})
        assert setup.allowed_hosts() == ("127.0.0.1:41475",)
        with pytest.raises(UrlRefused, match="not a site MediaNest downloads from"):
            services.check_url("http://127.0.0.1:45555/feeds/top10.xml")


def test_a_site_the_demo_cannot_reach_points_at_the_demo_videos(make_app):
    from tests.conftest import Accounts
    from tests.integration.test_request_pages import text

    app = make_app(DEMO=True, DEMO_VIDEO_URL="http://127.0.0.1:45555")
    accounts = Accounts(app, None)
    accounts.owner()
    accounts.create("alice")
    client = app.test_client()
    accounts.login("alice", client=client)
    # Nothing answers there, as nothing on the internet answers a demo without a network.
    form = {"urls": "http://127.0.0.1:45555/watch/vs000000001", "quality": "best"}
    page = text(client.post_form("/downloads/preview", form, page="/downloads"))
    assert "This demo may not reach the internet: try one of the demo videos." in page

"""Thumbnails through MediaNest's own address: signed addresses only, never inside the network
unless an admin named the host."""

import re

import pytest

from app import settings
from tests.integration import download_page_helpers
from tests.integration.download_page_helpers import a_download

people, image_site = download_page_helpers.people, download_page_helpers.image_site
PNG = download_page_helpers.PNG


def thumbnail_address(client) -> str:
    html = client.get("/downloads").get_data(True)
    return re.search(r'<img src="(/downloads/thumbnail/[^"]+)"', html).group(1)


def test_a_signed_thumbnail_is_served_once_its_host_is_allowed(
    app, client, auth, people, image_site
):
    with app.app_context():
        a_download(people.alice, thumbnail_url=f"{image_site.url}/thumb.png")
    auth.login("alice")
    address = thumbnail_address(client)
    inside = client.get(address)
    # Loopback is inside the network: a stand-in, and nothing fetched from there.
    assert inside.status_code == 200 and inside.mimetype == "image/svg+xml"
    with app.app_context():
        settings.put({"downloads.allowed_hosts": f"127.0.0.1:{image_site.port}"})
    served = client.get(address)
    assert served.status_code == 200 and served.mimetype == "image/png" and served.data == PNG
    assert client.get(address, headers={"If-None-Match": served.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("token", ["forged", "x" * 9000, "Imh0dHA6Ly9ldmlsLmV4YW1wbGUvIg.bad"])
def test_an_address_medianest_did_not_sign_is_a_404(client, auth, people, token):
    auth.login("alice")
    assert client.get(f"/downloads/thumbnail/{token}").status_code == 404


@pytest.mark.parametrize(
    "odd", ["http://[broken/x.jpg", "http://example.com:99999/x.jpg", "javascript:alert(1)"]
)
def test_a_thumbnail_address_a_site_got_wrong_breaks_no_page(app, client, auth, people, odd):
    with app.app_context():
        a_download(people.alice, thumbnail_url=odd)
    auth.login("alice")
    page = client.get("/downloads")
    assert page.status_code == 200 and "Cooking Week" in page.get_data(True)
    if found := re.search(r'<img src="(/downloads/thumbnail/[^"]+)"', page.get_data(True)):
        assert client.get(found.group(1)).mimetype == "image/svg+xml"

"""The installable web app: manifest, service worker, offline page."""

from django.urls import reverse


def test_manifest_is_installable(client, db):
    response = client.get(reverse("manifest"))
    assert response["Content-Type"] == "application/manifest+json"
    data = response.json()
    assert data["display"] == "standalone"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}


def test_service_worker_is_served_from_the_root_and_lists_the_shell(client, db):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert "/static/css/app.css" in body
    assert '"/offline/"' in body


def test_offline_page_renders_for_visitors(client, db):
    assert "You are offline" in client.get(reverse("offline")).content.decode()


def test_pages_link_the_manifest(client, db):
    assert 'rel="manifest"' in client.get(reverse("account_login")).content.decode()

"""The public search costs a full-text query per request: one address may not run it
without limit, whatever it writes in X-Forwarded-For."""

import pytest

pytestmark = pytest.mark.django_db


def test_searching_past_the_rate_answers_429_with_retry_after(client, settings):
    settings.PUBLIC_SEARCH_RATE = "3/minute"
    statuses = [client.get("/", {"q": f"imaging {n}"}).status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/", {"q": "scanners"})
    assert int(refused["Retry-After"]) <= 61
    assert "Too many requests" in refused.content.decode()


def test_a_new_x_forwarded_for_on_each_search_does_not_escape_the_limit(client, settings):
    settings.PUBLIC_SEARCH_RATE = "3/minute"
    statuses = [
        client.get("/", {"q": "mri"}, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(4)
    ]
    assert statuses[-1] == 429


def test_another_address_still_searches(client, settings):
    settings.PUBLIC_SEARCH_RATE = "3/minute"
    for _ in range(4):
        client.get("/", {"q": "mri"})
    assert client.get("/", {"q": "mri"}, REMOTE_ADDR="192.0.2.50").status_code == 200

"""The API reference and explorer still work under the content security policy: the page
renders and the browser refuses none of our own scripts, styles, images or workers. ReDoc's
"API docs by Redocly" logo comes from its CDN; refusing that is the policy doing its job
(no third party sees the public's visits)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "path, rendered",
    [
        ("/api/docs/", "h1:has-text('FOI register public API')"),
        ("/api/explorer/", ".swagger-ui .info .title:has-text('FOI register public API')"),
    ],
)
def test_api_documentation_renders_without_policy_violations(live_server, page, path, rendered):
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(live_server.url + path)
    page.wait_for_selector(rendered, timeout=20_000)
    page.wait_for_timeout(500)
    assert [m for m in refused if "https://cdn.redoc.ly/" not in m] == []

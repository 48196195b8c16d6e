"""API access in the browser (issue #19): a planner makes a token on a phone and sees it once;
makes a service account and its token; the served API page (Swagger UI, no CDN) renders under
the site's Content-Security-Policy."""

import pytest

pytestmark = pytest.mark.browser


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_planner_makes_a_token_on_a_phone_and_sees_it_once(
    page, live_server, log_in, world, district_user
):
    from api.models import ApiToken

    log_in(page, district_user)
    page.goto(f"{live_server.url}/account/")
    with page.expect_navigation():
        page.get_by_test_id("api-tokens").click()
    assert _fits(page)
    page.fill("#id_name", "SIKDA")
    with page.expect_navigation():
        page.locator("[data-testid=token-create] button").click()
    secret = page.get_by_test_id("new-token").input_value().strip()
    assert secret.startswith("smp_")
    assert _fits(page)
    with page.expect_navigation():
        page.get_by_test_id("token-done").click()
    assert secret not in page.content()
    assert page.locator("[data-testid=token-row]").count() == 1
    row = ApiToken.objects.get(user=district_user)
    with page.expect_navigation():
        page.get_by_test_id("token-revoke").click()
    with page.expect_navigation():
        page.locator("[data-testid=token-revoke-confirm] button").click()
    assert page.locator("[data-state=revoked]").count() == 1
    row.refresh_from_db()
    assert row.revoked_at is not None


def test_a_planner_makes_a_service_account_and_its_token(
    page, live_server, log_in, world, district_user
):
    from kernel.models import User

    log_in(page, district_user)
    page.goto(f"{live_server.url}/api/service-accounts/")
    with page.expect_navigation():
        page.get_by_test_id("service-account-create").click()
    page.fill("#id_name", "DHIS2 sync")
    page.select_option("#id_role", "district_planner")
    page.select_option("#id_area", f"district:{world['hsu']['district'].code}")
    with page.expect_navigation():
        page.locator("[data-testid=service-account-form] button").click()
    account = User.objects.get(is_service_account=True)
    assert page.url.endswith(f"/api/service-accounts/{account.pk}/")
    assert _fits(page)
    page.fill("#id_name", "prod")
    with page.expect_navigation():
        page.locator("[data-testid=token-create] button").click()
    assert page.get_by_test_id("new-token").input_value().startswith("smp_")


def test_the_api_page_renders_under_the_sites_csp(desktop_page, live_server, world):
    page = desktop_page
    problems = []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    outside = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith((live_server.url, "data:"))
            else None
        ),
    )
    response = page.goto(f"{live_server.url}/api/v1/docs/")
    assert "default-src 'self'" in response.headers.get("content-security-policy", "")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Simpul API" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 5
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    assert not outside  # no CDN

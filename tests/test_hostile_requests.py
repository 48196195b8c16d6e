"""Garbage in, message out (issue #11): control characters, absurd numbers and malformed ids get a
400 page, a form error or a sensible default, never a 500; identical posts create one object; a
`next` never leaves the site; logged-in pages and downloads are not cached.
"""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from indicators import services
from indicators.models import MonthlyReport, QuarterServiceNote, UnlockRequest
from kernel import services as kernel_services
from kernel.models import PartnerOrganisation, User

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def _approved_report(world) -> MonthlyReport:
    return MonthlyReport.objects.create(
        puskesmas=world["hsu"]["puskesmas"],
        year=2026,
        month=1,
        status=MonthlyReport.Status.APPROVED,
        due_on="2026-02-10",
    )


# --- Control characters ---------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["q=%00", "q=a%00b", "%00=1", "year=2026%01", "q=%7F"])
def test_control_character_in_the_query_string_is_a_400_page(client, district_user, query):
    client.cookies["django_language"] = "en"
    client.force_login(district_user)
    response = client.get(f"{reverse('kernel:puskesmas-list')}?{query}")
    assert response.status_code == 400
    assert "The request could not be read" in response.content.decode()


def test_the_400_page_speaks_indonesian_by_default(client):
    response = client.get(f"{reverse('login')}?next=%00")
    assert response.status_code == 400
    assert 'lang="id"' in response.content.decode()


def test_tab_and_newline_in_the_query_string_are_fine(client, district_user):
    client.force_login(district_user)
    response = client.get(reverse("kernel:puskesmas-list"), {"q": "a\tb\nc"})
    assert response.status_code == 200


def _partner_post(world, name: str) -> dict:
    return {
        "name": name,
        "short_name": "",
        "sector": PartnerOrganisation.Sector.values[0],
        "subdistrict": world["hsu"]["subdistrict"].pk,
        "contact_name": "",
        "phone": "",
        "is_active": "on",
    }


def test_nul_in_a_posted_field_is_a_400_and_saves_nothing(client, world, district_user):
    client.force_login(district_user)
    response = client.post(
        reverse("kernel:partner-create"), _partner_post(world, "Yayasan\x00Sehat")
    )
    assert response.status_code == 400
    assert not PartnerOrganisation.objects.filter(name__startswith="Yayasan").exists()


def test_nul_in_a_posted_field_name_is_a_400(client, world, district_user):
    client.force_login(district_user)
    data = {**_partner_post(world, "Yayasan Sehat"), "na\x00me": "x"}
    assert client.post(reverse("kernel:partner-create"), data).status_code == 400


def test_other_control_characters_in_posted_text_are_removed(client, world, district_user):
    client.force_login(district_user)
    response = client.post(
        reverse("kernel:partner-create"), _partner_post(world, "Yayasan\x0b Se\x1bhat")
    )
    assert response.status_code == 302
    assert PartnerOrganisation.objects.filter(name="Yayasan Sehat").exists()


def test_nul_in_a_monthly_report_reason_is_a_400(client, world, puskesmas_head):
    report = MonthlyReport.objects.create(
        puskesmas=world["hsu"]["puskesmas"], year=2026, month=2, due_on="2026-03-10"
    )
    client.force_login(puskesmas_head)
    url = reverse("indicators:report-entry", kwargs={"pk": report.pk})
    response = client.post(url, {"version": report.version, "reason": "\x00"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "data",
    [
        {"base": "1", "v-1-1": "4\x00"},
        {"base": "\x00", "v-1-1": "4"},
        {"base": "99999999999999999999999", "v-1-1": "4"},
        {"base": "1", "v-99999999999999999999-1": "4"},
        {"base": "1", "v-1-1": "4", "o-1-1": "\u202e" * 50},
        {"base": "1", "v-1-1": "9" * 5000},
        {"base": "1", "v-1-1": "\u00b2", "o-1-1": "\u00b2"},
    ],
)
def test_hostile_cell_saves_are_refused_and_save_nothing(client, world, puskesmas_head, data):
    report = MonthlyReport.objects.create(
        puskesmas=world["hsu"]["puskesmas"], year=2026, month=2, due_on="2026-03-10"
    )
    client.force_login(puskesmas_head)
    url = reverse("indicators:report-cells", kwargs={"pk": report.pk})
    response = client.post(url, data)
    assert response.status_code == 400
    assert not report.values.exists()


# --- Absurd numbers and malformed ids ---------------------------------------------------------

ABSURD = [
    {"year": "99999999999999999999"},
    {"year": "-1"},
    {"year": "abc"},
    {"year": "1e9", "quarter": "99999999999999999999"},
    {"month": "13", "page": "-1"},
    {"month": "abc", "page": "99999999999999999999"},
    {"district": "abc", "puskesmas": "-5", "service": "abc"},
    {"district": "99999999999999999999", "puskesmas": "99999999999999999999"},
    {"service": "99999999999999999999", "status": "x" * 300, "kind": "\u202e"},
    {"format": "xlsx", "year": "99999999999999999999"},
    {"format": "pdf", "year": "-1"},
]

LIST_PAGES = [
    "kernel:home",
    "kernel:region-list",
    "kernel:puskesmas-list",
    "kernel:servicepoint-list",
    "kernel:partner-list",
    "kernel:unit-list",
    "indicators:report-list",
    "indicators:target-list",
    "indicators:population-list",
    "indicators:estimaterule-list",
    "indicators:monthly-import",
    "indicators:monthly-export",
    "indicators:monthly-template",
    "indicators:quarterly-list",
    "indicators:feedback-list",
    "indicators:dashboard",
    "workshops:meeting-list",
    "workshops:followup-board",
    "workshops:commitment-partners",
    "workshops:proposal-board",
    "workshops:management-score",
    "planning:ruk-list",
    "planning:plan-totals",
    "planning:gap-list",
]


@pytest.fixture
def everyone(world, puskesmas_staff, puskesmas_head, district_user, province_user, admin_user):
    return [puskesmas_staff, puskesmas_head, district_user, province_user, admin_user]


@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_pages_answer_garbage_without_a_server_error(client, everyone, name):
    """Each role, each main list, each kind of garbage: a page, a 400 or a refusal, not a 500."""
    url = reverse(name)
    for user in everyone:
        client.force_login(user)
        for params in [{"q": "\x00"}, *ABSURD]:
            response = client.get(url, params)
            assert response.status_code < 500, (user.username, url, params)
            if "\x00" in params.get("q", ""):
                assert response.status_code == 400


def test_absurd_year_on_the_report_list_falls_back_to_this_year(client, district_user):
    from django.utils import timezone

    client.force_login(district_user)
    response = client.get(reverse("indicators:report-list"), {"year": "99999999999999999999"})
    assert response.status_code == 200
    assert response.context["year"] == timezone.localdate().year


def test_malformed_ids_in_the_query_string_answer_404_or_the_default(
    client, world, district_user, puskesmas_head
):
    client.force_login(district_user)
    for value in ("abc", "-1", "99999999999999999999", "1.5", ""):
        response = client.get(reverse("indicators:target-list"), {"puskesmas": value})
        assert response.status_code in (200, 404), value
    client.force_login(puskesmas_head)
    plan = _plan(world, puskesmas_head)
    url = reverse("planning:activity-create", kwargs={"pk": plan.pk})
    for name in ("gap", "rtl", "proposal"):
        for value in ("abc", "-1", "99999999999999999999"):
            assert client.get(url, {name: value}).status_code in (200, 404), (name, value)


def _plan(world, head):
    from planning.models import Plan

    return Plan.objects.create(
        puskesmas=world["hsu"]["puskesmas"],
        district=world["hsu"]["district"],
        year=2027,
        created_by=head,
    )


def test_absurd_year_posted_to_start_a_report_is_a_message(client, puskesmas_head):
    client.force_login(puskesmas_head)
    for year, month in (("99999999999999999999", "1"), ("2026", "13"), ("abc", "x"), ("-1", "0")):
        response = client.post(reverse("indicators:report-start"), {"year": year, "month": month})
        assert response.status_code == 302, (year, month)
    assert not MonthlyReport.objects.exists()


def test_absurd_year_posted_to_compute_a_quarter_is_a_message(client, world, district_user):
    client.force_login(district_user)
    url = reverse("indicators:aggregation-start", kwargs={"pk": world["hsu"]["district"].pk})
    for year, quarter in (("99999999999999999999", "1"), ("2026", "9"), ("abc", "1")):
        response = client.post(url, {"year": year, "quarter": quarter})
        assert response.status_code == 302, (year, quarter)


# --- Identical posts -----------------------------------------------------------------------------


def test_three_identical_unlock_request_posts_create_one_request(client, world, puskesmas_head):
    report = _approved_report(world)
    client.force_login(puskesmas_head)
    url = reverse("indicators:unlock-request-create", kwargs={"pk": report.pk})
    for __ in range(3):
        response = client.post(url, {"reason": "Salah ketik di desa 2"})
        assert response.status_code == 302
    assert UnlockRequest.objects.filter(report=report).count() == 1
    assert report.events.filter(action="unlock_requested").count() == 1


def test_a_different_unlock_request_while_one_waits_is_refused(world, puskesmas_head):
    from django.core.exceptions import ValidationError

    report = _approved_report(world)
    services.unlock_request_create(report=report, by=puskesmas_head, reason="Salah ketik")
    with pytest.raises(ValidationError):
        services.unlock_request_create(report=report, by=puskesmas_head, reason="Lain")


def test_unlock_request_that_loses_the_race_returns_the_winner(world, puskesmas_head, monkeypatch):
    """The check sees no waiting request, the insert meets the one-pending constraint: the
    service answers with the request that won, not an IntegrityError."""
    from indicators.services import reports as report_services

    report = _approved_report(world)
    winner = services.unlock_request_create(report=report, by=puskesmas_head, reason="Typo")
    real = report_services._pending_unlock
    calls = []

    def blind_first(report):
        calls.append(1)
        return None if len(calls) == 1 else real(report)

    monkeypatch.setattr(report_services, "_pending_unlock", blind_first)
    again = services.unlock_request_create(report=report, by=puskesmas_head, reason="Typo")
    assert again.pk == winner.pk
    assert UnlockRequest.objects.filter(report=report).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_unlock_requests_create_one_on_postgresql(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: no race to lose")
    from django.db import connections

    head = UserFactory(
        username="kapus-race", role=User.Role.PUSKESMAS_HEAD, puskesmas=world["hsu"]["puskesmas"]
    )
    report = _approved_report(world)
    barrier, results = threading.Barrier(3), []

    def post():
        try:
            barrier.wait()
            results.append(services.unlock_request_create(report=report, by=head, reason="Typo").pk)
        except Exception as error:  # noqa: BLE001 - the test reports what went wrong
            results.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for __ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1, results
    assert UnlockRequest.objects.filter(report=report).count() == 1


def test_partner_saved_twice_at_once_is_a_form_error(world, district_user, monkeypatch):
    """Two identical creates: the second's validation passed before the first was saved; the
    unique constraint refuses it and the service says so as a ValidationError."""
    from django.core.exceptions import ValidationError

    district = world["hsu"]["district"]
    kernel_services.partner_save(
        partner=PartnerOrganisation(district=district, name="Yayasan Sehat", sector="social"),
        by=district_user,
    )
    twin = PartnerOrganisation(district=district, name="Yayasan Sehat", sector="social")
    calls = []
    real_clean = PartnerOrganisation.full_clean

    def first_blind(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            return None  # as if validated before the other post was saved
        return real_clean(self, *args, **kwargs)

    monkeypatch.setattr(PartnerOrganisation, "full_clean", first_blind)
    with pytest.raises(ValidationError):
        kernel_services.partner_save(partner=twin, by=district_user)
    assert PartnerOrganisation.objects.filter(name="Yayasan Sehat").count() == 1


def test_quarter_notes_saved_twice_update_one_note(world, district_user):
    from indicators.reporting import monthly_services

    service = monthly_services(2026)[0]
    for __ in range(2):
        services.quarter_notes_save(
            district=world["hsu"]["district"],
            year=2026,
            quarter=1,
            notes={service: {"problems": "Kader kurang"}},
            by=district_user,
        )
    assert QuarterServiceNote.objects.count() == 1


# --- next ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/path",
        "http://evil.example",
        "javascript:alert(1)",
        "\\\\evil.example",
        "https:evil.example",
    ],
)
def test_compute_quarter_next_to_another_host_stays_on_site(client, world, district_user, target):
    client.force_login(district_user)
    url = reverse("indicators:aggregation-start", kwargs={"pk": world["hsu"]["district"].pk})
    response = client.post(url, {"next": target})  # no year: refused, back to `next`
    assert response.status_code == 302
    assert response["Location"] == reverse("indicators:report-list")


def test_compute_quarter_follows_next_on_the_site(client, world, district_user):
    client.force_login(district_user)
    district = world["hsu"]["district"]
    back = reverse("indicators:quarterly-detail", kwargs={"pk": district.pk}) + "?year=2026"
    url = reverse("indicators:aggregation-start", kwargs={"pk": district.pk})
    response = client.post(url, {"next": back})
    assert response["Location"] == back


def test_safe_next_keeps_paths_and_refuses_hosts(rf):
    from kernel.web import safe_next

    for target, expected in (
        ("/reports/?year=2026", "/reports/?year=2026"),
        ("https://evil.example/", "/fallback/"),
        ("//evil.example", "/fallback/"),
        ("", "/fallback/"),
        ("http://testserver/reports/", "http://testserver/reports/"),
    ):
        assert safe_next(rf.get("/", {"next": target}), "/fallback/") == expected, target
    secure = rf.get("/", {"next": "http://testserver/reports/"}, secure=True)
    assert safe_next(secure, "/fallback/") == "/fallback/"  # no downgrade to http


# --- Caching -------------------------------------------------------------------------------------


def test_logged_in_pages_and_exports_are_not_stored(client, district_user):
    client.force_login(district_user)
    for url in (
        reverse("indicators:report-list"),
        reverse("indicators:report-list") + "?format=xlsx",
        reverse("indicators:monthly-export"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


def test_anonymous_responses_are_left_to_their_views(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    from kernel.middleware import NoStoreMiddleware

    request = rf.get("/")
    request.user = AnonymousUser()
    assert not NoStoreMiddleware(lambda r: HttpResponse())(request).has_header("Cache-Control")


def test_a_response_with_its_own_caching_keeps_it(rf, district_user):
    from django.http import HttpResponse

    from kernel.middleware import NoStoreMiddleware

    def view(request):
        response = HttpResponse("progress")
        response["Cache-Control"] = "max-age=0, no-cache"
        return response

    request = rf.get("/")
    request.user = district_user
    assert NoStoreMiddleware(view)(request)["Cache-Control"] == "max-age=0, no-cache"
    assert NoStoreMiddleware(lambda r: HttpResponse())(request)["Cache-Control"] == "no-store"

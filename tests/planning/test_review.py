"""The district compiles its puskesmas's RUKs (status per puskesmas), returns them with a reason or
approves them; provinces read their districts' RUKs and review nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kernel.models import User
from planning import services
from planning.models import Plan
from tests.factories import PuskesmasFactory, UserFactory

from .conftest import PLAN_YEAR, add_activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(ruk, puskesmas_head):
    add_activity(ruk, puskesmas_head)
    ruk.refresh_from_db()
    services.plan_submit(plan=ruk, version=ruk.version, by=puskesmas_head)
    return ruk


def _review(client, plan, **data):
    return client.post(reverse("planning:plan-review", args=[plan.pk]), data)


def test_district_approves_a_submitted_ruk(client, submitted, district_user):
    client.force_login(district_user)
    page = client.get(reverse("planning:plan-detail", args=[submitted.pk]))
    assert 'value="approve"' in page.content.decode()
    response = _review(client, submitted, action="approve", version=submitted.version, reason="")
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Plan.Status.APPROVED
    assert submitted.decided_by == district_user and submitted.decided_at is not None
    assert submitted.events.filter(action="approved", by=district_user).exists()


def test_returning_needs_a_reason_and_keeps_it(client, submitted, district_user, puskesmas_head):
    client.force_login(district_user)
    response = _review(client, submitted, action="return", version=submitted.version, reason=" ")
    assert response.status_code == 200
    assert "Say what the puskesmas should change." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Plan.Status.SUBMITTED
    reason = "Anggaran kelas ibu hamil terlalu besar."
    response = _review(client, submitted, action="return", version=submitted.version, reason=reason)
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Plan.Status.RETURNED and submitted.return_reason == reason
    client.force_login(puskesmas_head)
    page = client.get(reverse("planning:plan-detail", args=[submitted.pk])).content.decode()
    assert reason in page
    # Returned: the puskesmas changes it again and resubmits.
    add_activity(submitted, puskesmas_head, name="Kelas ibu hamil di desa terpencil")
    submitted.refresh_from_db()
    services.plan_submit(plan=submitted, version=submitted.version, by=puskesmas_head)
    submitted.refresh_from_db()
    assert submitted.status == Plan.Status.SUBMITTED


def test_approving_what_changed_since_it_was_opened_is_refused(submitted, district_user):
    seen = submitted.version
    Plan.objects.filter(pk=submitted.pk).update(version=seen + 1)  # someone else acted since
    with pytest.raises(ValidationError, match="changed since you opened it"):
        services.plan_approve(plan=submitted, version=seen, by=district_user)
    submitted.refresh_from_db()
    assert submitted.status == Plan.Status.SUBMITTED


def test_a_draft_cannot_be_approved(client, ruk, puskesmas_head, district_user):
    add_activity(ruk, puskesmas_head)
    ruk.refresh_from_db()
    with pytest.raises(ValidationError, match="cannot be changed that way now"):
        services.plan_approve(plan=ruk, version=ruk.version, by=district_user)
    ruk.refresh_from_db()
    assert ruk.status == Plan.Status.DRAFT


def test_district_reopens_an_approved_ruk_with_a_reason(submitted, district_user):
    services.plan_approve(plan=submitted, version=submitted.version, by=district_user)
    submitted.refresh_from_db()
    services.plan_return(
        plan=submitted, version=submitted.version, reason="Revisi pagu BOK", by=district_user
    )
    submitted.refresh_from_db()
    assert submitted.status == Plan.Status.RETURNED


@pytest.mark.parametrize("role", ["province_user", "puskesmas_head"])
def test_only_the_districts_planners_review(client, submitted, request, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    response = _review(client, submitted, action="approve", version=submitted.version)
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.plan_approve(plan=submitted, version=submitted.version, by=user)
    submitted.refresh_from_db()
    assert submitted.status == Plan.Status.SUBMITTED


def test_planner_of_another_district_gets_404(client, submitted, other_district_user):
    client.force_login(other_district_user)
    assert client.get(reverse("planning:plan-detail", args=[submitted.pk])).status_code == 404
    response = _review(client, submitted, action="approve", version=submitted.version)
    assert response.status_code == 404


def test_compilation_shows_the_status_of_every_puskesmas(client, world, submitted, district_user):
    quiet = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"], name="Puskesmas Sepi")
    client.force_login(district_user)
    response = client.get(reverse("planning:ruk-list"), {"year": PLAN_YEAR})
    assert response.status_code == 200
    rows = {p.name: p for p in response.context["rows"]}
    assert set(rows) == {world["hsu"]["puskesmas"].name, quiet.name}  # its own district only
    assert rows[world["hsu"]["puskesmas"].name].plan_status == Plan.Status.SUBMITTED
    assert rows[world["hsu"]["puskesmas"].name].budget_total == 12_000_000
    assert rows[quiet.name].plan_id is None
    counts = {line.status: line.count for line in response.context["counts"]}
    assert counts["submitted"] == 1 and counts["none"] == 1
    waiting = client.get(reverse("planning:ruk-list"), {"year": PLAN_YEAR, "status": "none"})
    assert [p.name for p in waiting.context["rows"]] == [quiet.name]


def test_province_compiles_its_districts_read_only(client, world, submitted, province_user):
    client.force_login(province_user)
    response = client.get(reverse("planning:ruk-list"), {"year": PLAN_YEAR})
    names = {p.name for p in response.context["rows"]}
    assert world["hsu"]["puskesmas"].name in names
    assert world["banjarmasin"]["puskesmas"].name in names
    assert world["bontang"]["puskesmas"].name not in names  # another province
    page = client.get(reverse("planning:plan-detail", args=[submitted.pk])).content.decode()
    assert 'value="approve"' not in page


def test_compilation_exports_the_same_rows(client, world, submitted, district_user):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(district_user)
    response = client.get(reverse("planning:ruk-list"), {"year": PLAN_YEAR, "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][2] == world["hsu"]["puskesmas"].name
    assert values[1][3] == "Submitted" and values[1][6] == 12_000_000
    page = client.get(reverse("planning:ruk-list"), {"year": PLAN_YEAR}).content.decode()
    assert '<span class="badge status-submitted">Submitted</span>' in page
    assert "Kemenkes code" in page  # the file's columns are the page's, on wider screens


def test_compilation_ignores_a_district_or_status_it_does_not_offer(
    client, world, submitted, district_user
):
    client.force_login(district_user)
    url = reverse("planning:ruk-list")
    other = world["bontang"]["puskesmas"].district_id
    for query in ({"district": other}, {"status": "bogus"}, {"year": "1e9"}):
        response = client.get(url, {"year": PLAN_YEAR, **query})
        assert response.status_code == 200
        names = {p.name for p in response.context["rows"]}
        assert world["bontang"]["puskesmas"].name not in names


def test_compilation_queries_do_not_grow_with_puskesmas(client, world, district_user):
    def add_puskesmas(count):
        for _ in range(count):
            puskesmas = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"])
            head = UserFactory(role=User.Role.PUSKESMAS_HEAD, puskesmas=puskesmas)
            plan = services.plan_create(year=PLAN_YEAR, by=head)
            add_activity(plan, head)
            add_activity(plan, head, funding_source="apbd")

    client.force_login(district_user)
    url = reverse("planning:ruk-list")
    add_puskesmas(2)
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"year": PLAN_YEAR})
    add_puskesmas(8)
    with CaptureQueriesContext(connection) as many:
        client.get(url, {"year": PLAN_YEAR})
    assert len(many) == len(few)


def test_plan_history_reads_the_audit_log_and_is_404_elsewhere(
    client, submitted, district_user, other_district_user
):
    services.plan_return(
        plan=submitted, version=submitted.version, reason="Budget too high", by=district_user
    )
    event = submitted.events.get(action="returned")
    assert (event.from_status, event.to_status, event.by) == (
        "submitted",
        "returned",
        district_user,
    )
    assert event.puskesmas_id == submitted.puskesmas_id
    url = reverse("planning:plan-detail", args=[submitted.pk])
    client.force_login(district_user)
    page = client.get(url).content.decode()
    assert "Returned" in page and "Budget too high" in page
    client.force_login(other_district_user)
    assert client.get(url).status_code == 404


def test_plan_page_queries_do_not_grow_with_its_history(client, submitted, district_user):
    from kernel import audit

    url = reverse("planning:plan-detail", args=[submitted.pk])
    client.force_login(district_user)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(8):
        audit.record(submitted, action="activity_deleted", by=district_user, reason=f"#{n}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert "#7" in page
    assert len(many) == len(few)


def test_a_stale_approval_is_refused_and_records_nothing(submitted, district_user):
    with pytest.raises(ValidationError, match="changed since you opened it"):
        services.plan_approve(plan=submitted, version=submitted.version - 1, by=district_user)
    submitted.refresh_from_db()
    assert submitted.status == Plan.Status.SUBMITTED
    assert not submitted.events.filter(action="approved").exists()

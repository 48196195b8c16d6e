"""The supervision pages (issue #18) through the client: who sees and does what, 404 on
another area's ids, the checklist page, hostile posts, flat query counts."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import Item, SupervisionAction, SupervisionScore, SupervisionVisit

from ..factories import PuskesmasFactory
from .factories import SupervisionVisitFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LIST = reverse("assessments:supervision-list")


def _action(visit, **kwargs):
    return SupervisionAction.objects.create(
        visit=visit,
        finding="Lokmin tidak rutin",
        action="Jadwalkan lokmin bulanan",
        due_on=kwargs.pop("due_on", TODAY + datetime.timedelta(days=20)),
        **kwargs,
    )


def test_district_plans_a_visit(client, world, district_user):
    client.force_login(district_user)
    page = client.get(reverse("assessments:supervision-create"))
    assert page.status_code == 200
    token = str(uuid.uuid4())
    data = {
        "puskesmas": world["hsu"]["puskesmas"].pk,
        "planned_on": (TODAY + datetime.timedelta(days=5)).isoformat(),
        "purpose": "Supervisi terpadu",
        "team": "Kasi Yankes",
        "instrument": "",
        "form_token": token,
    }
    first = client.post(reverse("assessments:supervision-create"), data)
    again = client.post(reverse("assessments:supervision-create"), data)
    visit = SupervisionVisit.objects.get()
    assert first.status_code == again.status_code == 302
    assert first.url == reverse("assessments:supervision-detail", args=[visit.pk])
    assert visit.instrument.kind == "supervision"


def test_district_cannot_plan_for_another_district(client, world, district_user):
    client.force_login(district_user)
    response = client.post(
        reverse("assessments:supervision-create"),
        {
            "puskesmas": world["banjarmasin"]["puskesmas"].pk,
            "planned_on": TODAY.isoformat(),
            "team": "Tim",
            "form_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 200  # the form refuses the choice
    assert not SupervisionVisit.objects.exists()


def test_puskesmas_head_cannot_plan_but_updates_an_action(client, world, puskesmas_head):
    visit = SupervisionVisitFactory(
        puskesmas=world["hsu"]["puskesmas"], status="done", visited_on=TODAY
    )
    action = _action(visit)
    client.force_login(puskesmas_head)
    assert client.get(reverse("assessments:supervision-create")).status_code == 403
    assert client.get(reverse("assessments:supervision-edit", args=[visit.pk])).status_code == 403
    assert client.get(reverse("assessments:supervision-record", args=[visit.pk])).status_code == 403
    listing = client.get(LIST, {"year": TODAY.year})
    assert listing.status_code == 200
    assert reverse("assessments:supervision-action-status", args=[action.pk]) in (
        listing.content.decode()
    )
    status_url = reverse("assessments:supervision-action-status", args=[action.pk])
    client.post(status_url, {"status": "in_progress"})
    client.post(status_url, {"status": "done"})  # refused: no evidence
    action.refresh_from_db()
    assert action.status == "in_progress"
    client.post(status_url, {"status": "done", "note": "Notulen lokmin"})
    action.refresh_from_db()
    assert (action.status, action.status_note) == ("done", "Notulen lokmin")


def test_puskesmas_staff_reads_but_cannot_update(client, world, puskesmas_staff):
    visit = SupervisionVisitFactory(puskesmas=world["hsu"]["puskesmas"])
    action = _action(visit)
    client.force_login(puskesmas_staff)
    assert client.get(reverse("assessments:supervision-detail", args=[visit.pk])).status_code == 200
    status_url = reverse("assessments:supervision-action-status", args=[action.pk])
    assert client.post(status_url, {"status": "in_progress"}).status_code == 403


def test_another_area_gets_404(client, world, other_district_user):
    visit = SupervisionVisitFactory(puskesmas=world["hsu"]["puskesmas"])
    action = _action(visit)
    client.force_login(other_district_user)
    for name, pk in (
        ("assessments:supervision-detail", visit.pk),
        ("assessments:supervision-edit", visit.pk),
        ("assessments:supervision-record", visit.pk),
        ("assessments:supervision-action-edit", action.pk),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 404
    url = reverse("assessments:supervision-action-create") + f"?visit={visit.pk}"
    assert client.get(url).status_code == 404
    # Another area's visit in a posted RTL form is refused too.
    response = client.post(
        reverse("assessments:supervision-action-create"),
        {
            "visit": visit.pk,
            "finding": "x",
            "action": "y",
            "due_on": TODAY.isoformat(),
            "form_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 200
    assert SupervisionAction.objects.count() == 1
    assert (
        client.post(
            reverse("assessments:supervision-cancel", args=[visit.pk]), {"reason": "x"}
        ).status_code
        == 404
    )


def test_record_page_saves_levels_and_findings(client, world, district_user):
    visit = SupervisionVisitFactory(puskesmas=world["hsu"]["puskesmas"], planned_on=TODAY)
    client.force_login(district_user)
    url = reverse("assessments:supervision-record", args=[visit.pk])
    page = client.get(url)
    assert page.status_code == 200
    items = list(Item.objects.filter(section__instrument=visit.instrument))
    data = {"visited_on": TODAY.isoformat(), "findings": "PWS belum dianalisis", "version": 1}
    for item in items:
        data[f"score-{item.pk}"] = "7"
    data[f"note-{items[0].pk}"] = "Catatan"
    response = client.post(url, data)
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.status, visit.score, visit.findings) == (
        "done",
        Decimal("7.00"),
        data["findings"],
    )
    assert SupervisionScore.objects.filter(visit=visit).count() == len(items)
    detail = client.get(reverse("assessments:supervision-detail", args=[visit.pk]))
    assert "7,00" in detail.content.decode()


def test_record_page_refuses_bad_level_future_date_and_nul(client, world, district_user):
    visit = SupervisionVisitFactory(puskesmas=world["hsu"]["puskesmas"], planned_on=TODAY)
    client.force_login(district_user)
    url = reverse("assessments:supervision-record", args=[visit.pk])
    item = Item.objects.filter(section__instrument=visit.instrument).first()
    bad = client.post(url, {"visited_on": TODAY.isoformat(), f"score-{item.pk}": "5", "version": 1})
    assert bad.status_code == 400
    future = (TODAY + datetime.timedelta(days=2)).isoformat()
    assert client.post(url, {"visited_on": future, "version": 1}).status_code == 400
    nul = client.post(url, {"visited_on": TODAY.isoformat(), "findings": "a\x00b", "version": 1})
    assert nul.status_code in (400, 302)
    visit.refresh_from_db()
    assert "\x00" not in visit.findings
    assert not SupervisionScore.objects.filter(score=5).exists()


def test_cancel_needs_a_reason(client, world, district_user):
    visit = SupervisionVisitFactory(puskesmas=world["hsu"]["puskesmas"])
    client.force_login(district_user)
    url = reverse("assessments:supervision-cancel", args=[visit.pk])
    client.post(url, {"reason": "", "version": visit.version})
    visit.refresh_from_db()
    assert visit.status == "planned"
    client.post(url, {"reason": "Jalan banjir", "version": visit.version})
    visit.refresh_from_db()
    assert visit.status == "cancelled"


def test_action_create_and_edit(client, world, district_user):
    visit = SupervisionVisitFactory(puskesmas=world["hsu"]["puskesmas"])
    client.force_login(district_user)
    url = reverse("assessments:supervision-action-create") + f"?visit={visit.pk}"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "visit": visit.pk,
            "finding": "Stok vaksin kosong",
            "action": "Ajukan permintaan ke gudang farmasi",
            "responsible": "Apoteker",
            "due_on": (TODAY + datetime.timedelta(days=14)).isoformat(),
            "form_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    action = SupervisionAction.objects.get()
    edit = reverse("assessments:supervision-action-edit", args=[action.pk])
    response = client.post(
        edit,
        {
            "finding": action.finding,
            "action": action.action,
            "responsible": "Kepala gudang",
            "due_on": action.due_on.isoformat(),
            "version": action.version,
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.responsible == "Kepala gudang" and action.visit_id == visit.pk


def _queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def _grow(world, n):
    for i in range(n):
        puskesmas = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"])
        visit = SupervisionVisitFactory(
            puskesmas=puskesmas,
            planned_on=datetime.date(2026, 3, 1 + i),
            visited_on=datetime.date(2026, 3, 1 + i),
            status="done",
            score=Decimal("7"),
        )
        _action(visit, due_on=datetime.date(2026, 4, 1))
        _action(visit, status="done")


@pytest.mark.parametrize("who", ["district_user", "province_user", "admin_user"])
def test_list_queries_do_not_grow(client, world, who, request):
    user = request.getfixturevalue(who)
    client.force_login(user)
    _grow(world, 1)
    few = _queries(client, LIST, {"year": 2026})
    _grow(world, 5)
    assert _queries(client, LIST, {"year": 2026}) == few
    xlsx = client.get(LIST, {"year": 2026, "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd")


def test_puskesmas_list_queries_do_not_grow(client, world, puskesmas_head):
    client.force_login(puskesmas_head)
    puskesmas = world["hsu"]["puskesmas"]
    SupervisionVisitFactory(puskesmas=puskesmas, planned_on=datetime.date(2026, 2, 1))
    few = _queries(client, LIST, {"year": 2026})
    for i in range(4):
        visit = SupervisionVisitFactory(
            puskesmas=puskesmas, planned_on=datetime.date(2026, 3, i + 1)
        )
        _action(visit)
    assert _queries(client, LIST, {"year": 2026}) == few


def test_district_list_shows_not_visited_and_only_its_own(client, world, district_user):
    never = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"], name="Puskesmas Belum")
    SupervisionVisitFactory(
        puskesmas=world["banjarmasin"]["puskesmas"], planned_on=datetime.date(2026, 4, 1)
    )
    client.force_login(district_user)
    page = client.get(LIST, {"year": 2026})
    body = page.content.decode()
    assert never.name in body
    assert world["banjarmasin"]["puskesmas"].name not in body
    assert page.context["summary"].planned == 0


def test_nul_in_a_plan_is_refused(client, world, district_user):
    client.force_login(district_user)
    response = client.post(
        reverse("assessments:supervision-create"),
        {
            "puskesmas": world["hsu"]["puskesmas"].pk,
            "planned_on": TODAY.isoformat(),
            "team": "Tim\x00",
            "form_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code in (200, 400)
    assert all(
        "\x00" not in team for team in SupervisionVisit.objects.values_list("team", flat=True)
    )

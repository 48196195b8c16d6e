"""The meeting pack (issue #6, "Before"): the year to date through the reviewed month against the
target and the pace, per desa (lokmin) or per puskesmas (district meeting), and the open items of
earlier meetings; as a page, a PDF and a workbook, with a query count that does not grow.

Known figures: the lokmin is held on 12 May 2026 and reviews January to April (pace 33.33%).
Desa v1 and v2 each have a target of 60 for service 1 and 40 for service 2.
- Service 1: v1 served 15 (Jan) + 10 (Apr) = 25 (41.67%), v2 5 + 5 = 10 (16.67%, below pace);
  the puskesmas 35 of 120 = 29.17%, below pace, 5 more to serve to be back on pace.
- Service 2: v1 30 (Jan) = 75%, v2 0 (0%, below pace); the puskesmas 30 of 80 = 37.50%.
- March is submitted, not approved, and May is after the reviewed month: neither counts.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from indicators import services as indicator_services
from indicators.models import MonthlyReport, MonthlyValue, Target
from indicators.selectors.dashboards import dashboard_puskesmas, year_to_date

from ..exports import content_of, download_export
from ..factories import (
    CommitmentFactory,
    FollowUpFactory,
    MeetingFactory,
    PuskesmasFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

YEAR = 2026


def _report(puskesmas, month, status, values=()):
    report = MonthlyReport.objects.create(
        puskesmas=puskesmas, year=YEAR, month=month, status=status, due_on=f"{YEAR}-12-10"
    )
    for village, service, value in values:
        MonthlyValue.objects.create(report=report, village=village, service=service, value=value)
    return report


def _target(village, service, value):
    Target.objects.create(
        village=village,
        year=YEAR,
        service=service,
        source="estimate",
        value=value,
        is_of_record=True,
    )


@pytest.fixture
def data(world):
    spm = indicator_services.monthly_services(YEAR)
    puskesmas = world["hsu"]["puskesmas"]
    v1, v2 = world["hsu"]["villages"]
    for village in (v1, v2):
        _target(village, spm[0], 60)
        _target(village, spm[1], 40)
    _report(puskesmas, 1, "locked", [(v1, spm[0], 15), (v2, spm[0], 5), (v1, spm[1], 30)])
    _report(puskesmas, 2, "approved")
    _report(puskesmas, 3, "submitted", [(v1, spm[0], 100)])
    _report(puskesmas, 4, "approved", [(v1, spm[0], 10), (v2, spm[0], 5)])
    _report(puskesmas, 5, "approved", [(v1, spm[0], 50)])
    return spm


def _url(meeting, **params):
    return reverse("workshops:meeting-pack", args=[meeting.pk]), params


def test_lokmin_pack_shows_desa_figures_against_the_pace(client, data, puskesmas_head, lokmin):
    client.force_login(puskesmas_head)
    url, __ = _url(lokmin)
    response = client.get(url)
    assert response.status_code == 200
    pack = response.context["pack"]
    assert (pack.year, pack.month, pack.pace) == (2026, 4, Decimal("33.33"))
    first, second = pack.figures.services[:2]
    assert (first.figure.target, first.figure.served_ytd) == (120, 35)
    assert first.figure.achievement == Decimal("29.17")
    assert first.figure.is_below_pace and first.figure.shortfall == 5
    assert [(v.name, f.achievement, f.is_below_pace) for v, f in first.villages] == [
        (first.villages[0][0].name, Decimal("41.67"), False),
        (first.villages[1][0].name, Decimal("16.67"), True),
    ]
    assert (second.figure.achievement, second.figure.is_below_pace) == (Decimal("37.50"), False)
    assert [line.service for line in pack.below_pace] == [first.service]
    assert (pack.figures.months_approved, pack.figures.months_expected) == (3, 4)
    html = response.content.decode()
    assert 'data-testid="months-missing"' in html
    assert html.count("below-pace") >= 3  # the service row, the desa cell and the total cell


def test_pack_lists_the_open_items_of_earlier_meetings(client, data, puskesmas_head, lokmin):
    earlier = MeetingFactory(
        puskesmas=lokmin.puskesmas, held_on=datetime.date(2026, 2, 10), status="closed"
    )
    item = FollowUpFactory(meeting=earlier, activity="Kelas ibu hamil di Desa A")
    FollowUpFactory(meeting=earlier, status="done")
    promise = CommitmentFactory(meeting=earlier, party="KUA")
    other_kind = MeetingFactory(
        puskesmas=lokmin.puskesmas, kind="monthly_lokmin", held_on=datetime.date(2026, 3, 2)
    )
    FollowUpFactory(meeting=other_kind, activity="Not this kind")
    client.force_login(puskesmas_head)
    response = client.get(_url(lokmin)[0])
    pack = response.context["pack"]
    assert pack.open_items.follow_ups == [item]
    assert pack.open_items.commitments == [promise]
    assert pack.overdue == {item, promise}
    html = response.content.decode()
    assert "Kelas ibu hamil di Desa A" in html and "Not this kind" not in html


def test_district_forum_pack_shows_each_puskesmas(client, data, world, district_user, forum):
    PuskesmasFactory(
        subdistrict=world["hsu"]["subdistrict"], district=world["hsu"]["district"], name="Zeta"
    )
    client.force_login(district_user)
    pack = client.get(_url(forum)[0]).context["pack"]
    names = [area.name for area in pack.figures.areas]
    assert names == [world["hsu"]["puskesmas"].name, "Zeta"]
    ours, zeta = pack.figures.areas
    assert ours.cells[0].achievement == Decimal("29.17")
    assert zeta.cells[0].achievement is None
    assert pack.figures.services[0].figure.achievement == Decimal("29.17")
    assert (pack.figures.months_approved, pack.figures.months_expected) == (3, 8)


def test_provincial_meeting_pack_shows_each_district(client, data, world, province_user):
    meeting = MeetingFactory(
        kind="province_meeting",
        puskesmas=None,
        district=None,
        province=world["kalsel"],
        created_by=province_user,
    )
    client.force_login(province_user)
    pack = client.get(_url(meeting)[0]).context["pack"]
    assert [area.name for area in pack.figures.areas] == [
        world["hsu"]["district"].name,
        world["banjarmasin"]["district"].name,
    ]
    assert pack.figures.areas[0].cells[0].achievement == Decimal("29.17")


def test_a_january_meeting_reviews_december_of_the_year_before(puskesmas_head, world):
    meeting = MeetingFactory(puskesmas=world["hsu"]["puskesmas"], held_on=datetime.date(2026, 1, 8))
    assert meeting.review_month == (2025, 12)


def test_year_to_date_matches_the_dashboard_at_a_quarter_end(data, world, puskesmas_head):
    puskesmas = world["hsu"]["puskesmas"]
    ours = year_to_date(user=puskesmas_head, area=puskesmas, year=YEAR, month=6)
    dashboard = dashboard_puskesmas(user=puskesmas_head, puskesmas=puskesmas, year=YEAR, quarter=2)
    for mine, theirs in zip(ours.services, dashboard.services, strict=True):
        assert [(v.pk, f.achievement, f.is_below_pace) for v, f in mine.villages] == [
            (v.pk, f.achievement, f.is_below_pace) for v, f in theirs.villages
        ]


def test_pack_pdf_and_workbook_hold_the_page_figures(client, data, puskesmas_head, lokmin):
    client.force_login(puskesmas_head)
    url, __ = _url(lokmin)
    pdf = download_export(client, url, query={"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and content_of(pdf).startswith(b"%PDF")
    response = download_export(client, url, query={"format": "xlsx"})
    assert response["Content-Disposition"].startswith('attachment; filename="pack-')
    book = load_workbook(io.BytesIO(content_of(response)))
    per_service, per_desa, items = book.worksheets[:3]  # then the apps' sections (issue #17)
    rows = list(per_service.iter_rows(values_only=True))
    assert rows[1][2:5] == (120, 35, 29.17)
    desa_rows = list(per_desa.iter_rows(values_only=True))[1:]
    assert len(desa_rows) == 2 * len(data)
    assert list(items.iter_rows(values_only=True))[1:] == []


def test_pack_of_another_area_is_404(client, data, other_district_user, lokmin):
    client.force_login(other_district_user)
    assert client.get(_url(lokmin)[0]).status_code == 404


def test_pack_queries_do_not_grow_with_the_data(client, data, world, puskesmas_head, lokmin):
    client.force_login(puskesmas_head)
    url, __ = _url(lokmin)
    earlier = MeetingFactory(puskesmas=lokmin.puskesmas, held_on=datetime.date(2026, 2, 10))
    with CaptureQueriesContext(connection) as few:
        client.get(url)
        download_export(client, url, query={"format": "xlsx"})
    report = MonthlyReport.objects.get(puskesmas=lokmin.puskesmas, month=4)
    for __ in range(8):
        village = VillageFactory(
            subdistrict=world["hsu"]["subdistrict"], puskesmas=lokmin.puskesmas
        )
        _target(village, data[0], 50)
        MonthlyValue.objects.create(report=report, village=village, service=data[0], value=4)
    FollowUpFactory.create_batch(5, meeting=earlier)
    CommitmentFactory.create_batch(5, meeting=earlier)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
        download_export(client, url, query={"format": "xlsx"})
    assert len(many) == len(few)

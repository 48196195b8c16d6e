"""The puskesmas's PKP pages (issue #18 B1) through the client."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from assessments.models import PkpAssessment, PkpScore, PkpServiceResult
from assessments.services.pkp import pkp_start

from ..factories import FollowUpFactory, MeetingFactory, ProblemFactory
from .pkp_fixtures import YEAR, served, targets


@pytest.fixture
def pkp(world, puskesmas_head):
    return pkp_start(puskesmas=world["hsu"]["puskesmas"], year=YEAR, by=puskesmas_head)


def _result(pkp, code):
    return pkp.service_results.get(item__code=code)


def test_start_by_post_then_the_page(client, world, puskesmas_staff):
    client.force_login(puskesmas_staff)
    assert client.get(reverse("assessments:pkp-start")).status_code == 405
    response = client.post(reverse("assessments:pkp-start"), {"year": str(YEAR)})
    pkp = PkpAssessment.objects.get(puskesmas=world["hsu"]["puskesmas"], year=YEAR)
    assert response.status_code == 302
    assert response.url == reverse("assessments:pkp-detail", args=[pkp.pk])
    again = client.post(reverse("assessments:pkp-start"), {"year": str(YEAR)})
    assert again.url == response.url
    page = client.get(response.url)
    assert page.status_code == 200
    assert b'data-testid="pkp-service-table"' in page.content
    assert b">None<" not in page.content  # empty figures show a dash
    assert reverse("assessments:pkp-score-edit", args=[pkp.scores.first().pk]).encode() in (
        page.content
    )


def test_start_refused_for_the_district_and_bad_years(
    client, world, district_user, puskesmas_staff
):
    client.force_login(district_user)
    assert client.post(reverse("assessments:pkp-start"), {"year": "2026"}).status_code == 403
    client.force_login(puskesmas_staff)
    for year in ("abc", "99999999999999", "1990"):
        response = client.post(reverse("assessments:pkp-start"), {"year": year})
        assert response.status_code == 302
    nul = client.post(reverse("assessments:pkp-start"), {"year": "20\x0026"})
    assert nul.status_code == 400  # refused cleanly by the middleware
    assert not PkpAssessment.objects.exists()


def test_the_district_reads_the_page_without_the_puskesmas_buttons(client, pkp, district_user):
    client.force_login(district_user)
    page = client.get(reverse("assessments:pkp-detail", args=[pkp.pk]))
    assert page.status_code == 200
    assert reverse("assessments:pkp-refresh", args=[pkp.pk]).encode() not in page.content
    assert reverse("assessments:pkp-verify", args=[pkp.pk]).encode() in page.content


def test_another_areas_pkp_is_404(client, world, pkp, other_district_user):
    client.force_login(other_district_user)
    result, score = pkp.service_results.first(), pkp.scores.first()
    for url in (
        reverse("assessments:pkp-detail", args=[pkp.pk]),
        reverse("assessments:pkp-service-edit", args=[result.pk]),
        reverse("assessments:pkp-score-edit", args=[score.pk]),
    ):
        assert client.get(url).status_code == 404
    for url in (
        reverse("assessments:pkp-refresh", args=[pkp.pk]),
        reverse("assessments:pkp-submit", args=[pkp.pk]),
    ):
        assert client.post(url).status_code == 404


def test_shortfalls_are_highlighted_and_counted(client, pkp, puskesmas_head):
    PkpServiceResult.objects.filter(assessment=pkp, item__code="GIZI1").update(
        target_group=100, actual=50
    )
    PkpServiceResult.objects.filter(assessment=pkp, item__code="GIZI2").update(
        target_group=100, actual=20, problem="ASI rendah", rtl="Kelas ibu"
    )
    client.force_login(puskesmas_head)
    page = client.get(reverse("assessments:pkp-detail", args=[pkp.pk]))
    assert page.content.count(b'data-shortfall="1"') == 2
    shortfalls = page.context["page"]
    assert (shortfalls.shortfalls, shortfalls.shortfalls_open) == (2, 1)


def test_edit_a_service_result_with_rtl_items(client, world, pkp, puskesmas_staff):
    puskesmas = world["hsu"]["puskesmas"]
    result = _result(pkp, "KIA1")
    same = FollowUpFactory(
        meeting=MeetingFactory(puskesmas=puskesmas, held_on=datetime.date(YEAR, 3, 1)),
        problem=ProblemFactory(
            meeting=MeetingFactory(puskesmas=puskesmas), service=result.item.service
        ),
    )
    other_service = FollowUpFactory(
        meeting=MeetingFactory(puskesmas=puskesmas, held_on=datetime.date(YEAR, 6, 1))
    )
    last_year = FollowUpFactory(
        meeting=MeetingFactory(puskesmas=puskesmas, held_on=datetime.date(YEAR - 1, 6, 1))
    )
    foreign = FollowUpFactory(meeting=MeetingFactory(puskesmas=world["banjarmasin"]["puskesmas"]))
    client.force_login(puskesmas_staff)
    url = reverse("assessments:pkp-service-edit", args=[result.pk])
    form = client.get(url).context["form"]
    choices = [value for value, _label in form.fields["follow_ups"].choices]
    assert choices == [str(same.pk), str(other_service.pk)]
    assert str(last_year.pk) not in choices
    post = {
        "version": result.version,
        "target_group": "120",
        "actual": "60",
        "problem": "Kunjungan K6 rendah",
        "rtl": "Sweeping ibu hamil",
        "follow_ups": [str(same.pk)],
    }
    response = client.post(url, post)
    assert response.status_code == 302
    result.refresh_from_db()
    assert (result.target_group, result.actual, result.from_data) == (120, 60, False)
    assert list(result.follow_ups.all()) == [same]
    stale = client.post(url, post | {"problem": "lagi"})
    assert stale.status_code == 409
    refused = client.post(url, post | {"version": result.version, "follow_ups": [foreign.pk]})
    assert refused.status_code == 400
    nul = client.post(url, post | {"version": result.version, "problem": "a\x00b"})
    assert nul.status_code == 400
    assert "\x00" not in PkpServiceResult.objects.get(pk=result.pk).problem


def test_score_edit_offers_the_levels(client, pkp, puskesmas_staff):
    score = pkp.scores.get(item__code="B1")
    client.force_login(puskesmas_staff)
    url = reverse("assessments:pkp-score-edit", args=[score.pk])
    page = client.get(url)
    assert [value for value, _ in page.context["form"].fields["self_score"].choices] == [
        "0",
        "4",
        "7",
        "10",
    ]
    assert client.post(url, {"version": score.version, "self_score": "5"}).status_code == 400
    response = client.post(
        url, {"version": score.version, "self_score": "7", "self_note": "Buku inventaris"}
    )
    assert response.status_code == 302
    score.refresh_from_db()
    assert (score.self_score, score.self_note) == (Decimal("7"), "Buku inventaris")
    assert client.post(url, {"version": "0", "self_score": "4"}).status_code == 409


def test_refresh_and_submit(client, world, pkp, puskesmas_staff, puskesmas_head):
    puskesmas, villages = world["hsu"]["puskesmas"], world["hsu"]["villages"]
    targets(puskesmas, villages, "SPM-01", [10, 10])
    served(puskesmas, villages[0], "SPM-01", {2: 5})
    client.force_login(puskesmas_staff)
    assert client.get(reverse("assessments:pkp-refresh", args=[pkp.pk])).status_code == 405
    assert client.post(reverse("assessments:pkp-refresh", args=[pkp.pk])).status_code == 302
    assert _result(pkp, "KIA1").actual == 5
    submit = reverse("assessments:pkp-submit", args=[pkp.pk])
    pkp.refresh_from_db()
    assert client.post(submit, {"version": pkp.version}).status_code == 403  # staff
    client.force_login(puskesmas_head)
    client.post(submit, {"version": pkp.version})
    pkp.refresh_from_db()
    assert pkp.status == "draft"  # items without a score
    PkpScore.objects.filter(assessment=pkp).update(self_score=Decimal("4"))
    assert client.post(submit, {"version": "\x00"}).status_code == 400
    client.post(submit, {"version": "x"})
    pkp.refresh_from_db()
    assert pkp.status == "draft"  # no version: refused as stale
    client.post(submit, {"version": pkp.version})
    pkp.refresh_from_db()
    assert pkp.status == "submitted"
    result = pkp.service_results.first()
    edit = client.get(reverse("assessments:pkp-service-edit", args=[result.pk]))
    assert edit.status_code == 403


def _grow(pkp, puskesmas, *, results: int, visits: list[int]) -> None:
    from assessments.models import SupervisionVisit

    for result in pkp.service_results.order_by("pk")[:results]:
        for _ in range(2):
            result.follow_ups.add(FollowUpFactory(meeting=MeetingFactory(puskesmas=puskesmas)))
    for month in visits:
        SupervisionVisit.objects.create(
            puskesmas=puskesmas, planned_on=datetime.date(YEAR, month, 1), team="Tim Dinkes"
        )


def test_the_page_costs_the_same_with_more_items_and_visits(client, world, pkp, puskesmas_head):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    puskesmas = world["hsu"]["puskesmas"]
    client.force_login(puskesmas_head)
    url = reverse("assessments:pkp-detail", args=[pkp.pk])
    _grow(pkp, puskesmas, results=1, visits=[2])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(pkp, puskesmas, results=6, visits=[5, 8, 11])
    with CaptureQueriesContext(connection) as big:
        assert client.get(url).status_code == 200
    assert len(big) <= len(small)

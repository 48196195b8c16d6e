"""Every planning page renders for the roles that use it, loads nothing from another host and
has no inline script or style (strict CSP), like the rest of Simpul (tests/test_platform.py)."""

import pytest
from django.urls import reverse

from planning import services
from tests.test_platform import _foreign_urls, _parse

from .conftest import PLAN_YEAR, add_activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(world, ruk, gaps, dinkes_plan, puskesmas_head, district_user):
    activity = add_activity(ruk, puskesmas_head)
    this_year = services.plan_create(year=PLAN_YEAR - 1, by=puskesmas_head)
    add_activity(this_year, puskesmas_head)
    this_year.refresh_from_db()
    services.plan_submit(plan=this_year, version=this_year.version, by=puskesmas_head)
    this_year.refresh_from_db()
    services.plan_approve(plan=this_year, version=this_year.version, by=district_user)
    return {
        "puskesmas_head": [
            reverse("planning:ruk-list"),
            reverse("planning:plan-detail", args=[ruk.pk]),
            reverse("planning:plan-sources", args=[ruk.pk]),
            reverse("planning:activity-create", args=[ruk.pk]),
            reverse("planning:activity-edit", args=[activity.pk]),
            reverse("planning:rpk-detail", args=[this_year.pk]) + "?month=3",
            reverse("planning:rpk-detail", args=[ruk.pk]),
        ],
        "district_user": [
            reverse("planning:ruk-list"),
            reverse("planning:plan-detail", args=[ruk.pk]),
            reverse("planning:plan-detail", args=[dinkes_plan.pk]),
            reverse("planning:plan-totals"),
            reverse("planning:gap-list"),
            reverse("planning:rpk-detail", args=[this_year.pk]),
        ],
        "province_user": [
            reverse("planning:ruk-list"),
            reverse("planning:plan-totals"),
            reverse("planning:gap-list"),
        ],
    }


@pytest.mark.parametrize("role", ["puskesmas_head", "district_user", "province_user"])
def test_planning_pages_are_clean(client, pages, request, role):
    client.force_login(request.getfixturevalue(role))
    for url in pages[role]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not _foreign_urls(html), url
        assert not _parse(html).inline, (url, _parse(html).inline)

"""Every URL that takes an object id refuses users of another area with 404 (STYLE.md §3, §9).

The test walks the URL configuration, so a new view with an id fails here until it is listed in
OBJECTS below, and then fails if it forgets the area-scoping helper.
"""

from collections.abc import Callable

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db


def _hsu_run(w: dict):
    from indicators.models import AggregationRun

    return AggregationRun.objects.create(year=2026, quarter=1, district=w["hsu"]["district"])


def _hsu_report(w: dict):
    """A January report of the Hulu Sungai Utara puskesmas (created once per test)."""
    from indicators.models import MonthlyReport

    report, _ = MonthlyReport.objects.get_or_create(
        puskesmas=w["hsu"]["puskesmas"],
        year=2026,
        month=1,
        defaults={"due_on": "2026-02-10"},
    )
    return report


def _hsu_unlock_request(w: dict):
    from indicators.models import UnlockRequest

    from .factories import UserFactory

    report = _hsu_report(w)
    head = UserFactory(role="puskesmas_head", puskesmas=w["hsu"]["puskesmas"])
    return UnlockRequest.objects.create(report=report, reason="typo", requested_by=head)


def _hsu_import_job(w: dict):
    """An Excel import of the Hulu Sungai Utara puskesmas's monthly data."""
    from indicators.models import ImportJob

    from .factories import UserFactory

    head = UserFactory(role="puskesmas_head", puskesmas=w["hsu"]["puskesmas"])
    return ImportJob.objects.create(
        kind=ImportJob.Kind.MONTHLY_VALUES,
        district=w["hsu"]["district"],
        puskesmas=w["hsu"]["puskesmas"],
        file="imports/x.xlsx",
        file_name="x.xlsx",
        created_by=head,
    )


def _hsu_head(w: dict):
    """The head of the Hulu Sungai Utara puskesmas (one per test)."""
    from indicators.models import User

    from .factories import UserFactory

    return User.objects.filter(username="hsu-head").first() or UserFactory(
        username="hsu-head", role=User.Role.PUSKESMAS_HEAD, puskesmas=w["hsu"]["puskesmas"]
    )


def _hsu_lokmin(w: dict):
    """A quarterly cross-sector lokmin of the Hulu Sungai Utara puskesmas (one per test)."""
    from workshops.models import Meeting

    from .factories import MeetingFactory

    return Meeting.objects.filter(title="HSU lokmin").first() or MeetingFactory(
        title="HSU lokmin", puskesmas=w["hsu"]["puskesmas"], created_by=_hsu_head(w)
    )


def _hsu_forum(w: dict):
    """A cross-sector forum of the Hulu Sungai Utara district (one per test)."""
    from workshops.models import Meeting

    from .factories import MeetingFactory

    return Meeting.objects.filter(title="HSU forum").first() or MeetingFactory(
        title="HSU forum",
        kind=Meeting.Kind.DISTRICT_FORUM,
        puskesmas=None,
        district=w["hsu"]["district"],
        created_by=_hsu_head(w),
    )


# URL names whose owner is the puskesmas (its head runs it), not the district planner.
PUSKESMAS_OWNED: set[str] = set()

# URL name -> the object (inside Hulu Sungai Utara, the owner's area) whose id the URL takes.
OBJECTS: dict[str, Callable[[dict], object]] = {
    "indicators:aggregation-start": lambda w: w["hsu"]["district"],
    "indicators:aggregation-detail": _hsu_run,
    "indicators:quarterly-notes": lambda w: w["hsu"]["district"],
    "indicators:report-entry": _hsu_report,
    "indicators:report-review": _hsu_report,
    "indicators:report-history": _hsu_report,
    "indicators:unlock-request-create": _hsu_report,
    "indicators:unlock-request-decide": _hsu_unlock_request,
    "indicators:importjob-detail": _hsu_import_job,
    "indicators:district-detail": lambda w: w["hsu"]["district"],
    "indicators:subdistrict-detail": lambda w: w["hsu"]["subdistrict"],
    "indicators:puskesmas-detail": lambda w: w["hsu"]["puskesmas"],
    "indicators:puskesmas-edit": lambda w: w["hsu"]["puskesmas"],
    "indicators:servicepoint-edit": lambda w: w["hsu"]["service_point"],
    "indicators:servicepoint-delete": lambda w: w["hsu"]["service_point"],
    "indicators:partner-edit": lambda w: w["hsu"]["partner"],
    "indicators:unit-edit": lambda w: w["hsu"]["unit"],
    "indicators:unit-delete": lambda w: w["hsu"]["unit"],
    "indicators:target-choose": lambda w: w["hsu"]["puskesmas"],
    "indicators:target-village": lambda w: w["hsu"]["villages"][0],
    "indicators:target-estimate": lambda w: w["hsu"]["district"],
    "indicators:target-choose-source": lambda w: w["hsu"]["district"],
    "indicators:target-approve": lambda w: w["hsu"]["district"],
    "indicators:target-reopen": lambda w: w["hsu"]["district"],
    "indicators:quarterly-detail": lambda w: w["hsu"]["district"],
    "indicators:feedback-detail": _hsu_report,
    "indicators:dashboard-district": lambda w: w["hsu"]["district"],
    "indicators:dashboard-puskesmas": lambda w: w["hsu"]["puskesmas"],
}

SKIPPED_NAMESPACES = {"admin"}  # Django admin: staff only, for system administrators' support


def _walk(patterns, namespace: str = "", inherited: tuple[str, ...] = ()):
    for entry in patterns:
        converters = tuple(entry.pattern.converters) + inherited
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full = f"{namespace}:{ns}".strip(":") if ns else namespace
            yield from _walk(entry.url_patterns, full, converters)
        elif isinstance(entry, URLPattern) and converters and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, converters


def id_taking_url_names() -> list[str]:
    return sorted(
        {
            name
            for name, _ in _walk(get_resolver().url_patterns)
            if name.split(":")[0] not in SKIPPED_NAMESPACES
        }
    )


def test_every_id_taking_url_is_covered_by_this_test():
    missing = [name for name in id_taking_url_names() if name not in OBJECTS]
    assert not missing, f"Add these URL names to OBJECTS in {__file__}: {missing}"


@pytest.fixture
def other_area_users(other_district_user, other_province_user, world):
    from indicators.models import User

    from .factories import UserFactory

    other_head = UserFactory(
        username="other-head",
        role=User.Role.PUSKESMAS_HEAD,
        puskesmas=world["banjarmasin"]["puskesmas"],
    )
    return [other_district_user, other_province_user, other_head]


@pytest.mark.parametrize("name", sorted(OBJECTS))
def test_url_refuses_users_of_another_area(client, world, district_user, other_area_users, name):
    obj = OBJECTS[name](world)
    url = reverse(name, kwargs={"pk": obj.pk})
    # Control: the owner reaches it, so the 404s below come from scoping, not from a wrong id.
    client.force_login(_hsu_head(world) if name in PUSKESMAS_OWNED else district_user)
    assert client.get(url).status_code in (200, 405)
    for outsider in other_area_users:
        client.force_login(outsider)
        get = client.get(url)
        post = client.post(url, {"name": "changed by an outsider"})
        assert get.status_code in (403, 404, 405), f"GET {url} as {outsider.username}"
        assert post.status_code in (403, 404), f"POST {url} as {outsider.username}"
    fresh = type(obj).objects.get(pk=obj.pk)  # still there, unchanged by the outsiders
    assert getattr(fresh, "name", "") != "changed by an outsider"
    for field in ("status", "version"):
        assert getattr(fresh, field, None) == getattr(obj, field, None)


def test_district_detail_of_another_province_is_404_for_reviewer(client, world, province_user):
    client.force_login(province_user)
    url = reverse("indicators:district-detail", kwargs={"pk": world["bontang"]["district"].pk})
    assert client.get(url).status_code == 404

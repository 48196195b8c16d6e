"""The to-do home (issue #15, must-have 2): what waits for each role, each item one click from
where it is done, nothing of another area, and a query count that does not grow with the data.

Logic is asserted through `kernel.todo.todo_for` on a fixed day (3 December 2026, the issue's
demo day: November is due on 10 December, October and earlier are late); the page through the
client on the real day.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators import services as spm
from indicators.models import (
    MonthlyReport,
    MonthlyValue,
    ReportingYear,
    Target,
    TargetApproval,
    UnlockRequest,
)
from kernel.models import Notification, User
from kernel.todo import TodoItem, todo_for, todo_register
from planning.models import Plan

from .factories import (
    CommitmentFactory,
    DistrictFactory,
    FollowUpFactory,
    MeetingFactory,
    PuskesmasFactory,
    SubdistrictFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 3)
HOME = "/"


def report(puskesmas, month, status="draft", *, year=2026, reason="", **fields):
    due_on = ReportingYear.objects.get(year=year).due_on(month)
    submitted = None
    if status != "draft":
        submitted = timezone.make_aware(datetime.datetime.combine(due_on, datetime.time(9)))
    return MonthlyReport.objects.create(
        puskesmas=puskesmas,
        year=year,
        month=month,
        status=status,
        due_on=due_on,
        first_submitted_at=submitted,
        submitted_at=submitted,
        return_reason=reason,
        **fields,
    )


def all_reported(puskesmas, *, year=2026, until=11, status="approved"):
    return [report(puskesmas, month, status, year=year) for month in range(1, until + 1)]


def items_of(user, today=TODAY) -> list[TodoItem]:
    return [item for section in todo_for(user, today) for item in section.items]


def labels(user, today=TODAY) -> list[str]:
    return [str(item.label) for item in items_of(user, today)]


def item_with(user, text, today=TODAY) -> TodoItem:
    found = [item for item in items_of(user, today) if text in str(item.label)]
    assert len(found) == 1, (text, labels(user, today))
    return found[0]


def entry_url(r) -> str:
    return reverse("indicators:report-entry", args=[r.pk])


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


# --- Registry -----------------------------------------------------------------------------------


def test_items_are_grouped_by_section_most_urgent_first(world, admin_user):
    def provider(user, today):
        return [
            TodoItem(section="Test", label="news", url="/a/", tone="info"),
            TodoItem(section="Test", label="late", url="/b/", tone="danger"),
            TodoItem(section="Test", label="soon", url="/c/", tone="warning"),
        ]

    todo_register("tests.provider", provider)
    try:
        sections = [s for s in todo_for(admin_user, TODAY) if str(s.title) == "Test"]
    finally:
        from kernel import todo

        todo._PROVIDERS.pop("tests.provider")
    assert [i.label for i in sections[0].items] == ["late", "soon", "news"]
    assert sections[0].tone == "danger"


def test_an_item_refuses_an_unknown_tone():
    with pytest.raises(ValueError):
        TodoItem(section="x", label="y", url="/", tone="red")


# --- Puskesmas head and staff -------------------------------------------------------------------


def test_head_sees_this_months_deadline_and_late_months(world, puskesmas_head):
    pkm = world["hsu"]["puskesmas"]
    all_reported(pkm, until=8)
    october = report(pkm, 10)  # started, not submitted
    items = items_of(puskesmas_head)
    november = item_with(puskesmas_head, "November 2026")
    assert november.tone == "warning" and "due on 10 December" in str(november.label)
    # Not started: the list of the year, where the month is started.
    assert november.url == reverse("indicators:report-list") + "?year=2026"
    late = item_with(puskesmas_head, "October 2026")
    assert late.tone == "danger" and late.url == entry_url(october)
    assert "is late" in str(item_with(puskesmas_head, "September 2026").label)
    reported = {"January", "February", "March", "April", "May", "June", "July", "August"}
    assert not any(f"{month} 2026" in str(item.label) for item in items for month in reported), (
        labels(puskesmas_head)
    )
    assert not any("December 2026" in str(item.label) for item in items)  # not ended


def test_in_january_last_decembers_report_is_due(world, puskesmas_head):
    pkm = world["hsu"]["puskesmas"]
    all_reported(pkm, until=11)
    assert labels(puskesmas_head, datetime.date(2027, 1, 5)) == [
        "December 2026 is due on 10 January"
    ]


def test_head_sees_returned_reports_with_their_reason(world, puskesmas_staff):
    pkm = world["hsu"]["puskesmas"]
    for month in (1, 2, 3, 4, 5, 7, 8, 9, 10, 11):
        report(pkm, month, "approved")
    returned = report(pkm, 6, "returned", reason="Desa Sungai Turak: K4 lebih dari sasaran")
    item = item_with(puskesmas_staff, "returned")
    assert item.url == entry_url(returned) and item.tone == "danger"
    assert item.detail == "Desa Sungai Turak: K4 lebih dari sasaran"
    assert str(item.section) == "Monthly reports"


def test_submitted_and_approved_months_ask_nothing(world, puskesmas_head):
    pkm = world["hsu"]["puskesmas"]
    all_reported(pkm, until=10)
    report(pkm, 11, "submitted")
    assert todo_for(puskesmas_head, TODAY) == []


def test_head_sees_warnings_without_a_comment(world, puskesmas_head):
    pkm = world["hsu"]["puskesmas"]
    v1, v2 = world["hsu"]["villages"]
    service = spm.monthly_services(2026)[0]
    for village in (v1, v2):
        Target.objects.create(
            village=village,
            year=2026,
            service=service,
            source="estimate",
            value=10,
            is_of_record=True,
        )
    all_reported(pkm, until=10)
    november = report(pkm, 11)
    MonthlyValue.objects.create(report=november, village=v1, service=service, value=50)
    MonthlyValue.objects.create(
        report=november, village=v2, service=service, value=40, comment="Sweeping campaign"
    )
    item = item_with(puskesmas_head, "with a warning")
    assert item.count == 1 and item.url == entry_url(november) and item.tone == "warning"
    assert "November 2026" in str(item.label)
    MonthlyValue.objects.filter(report=november, village=v1).update(comment="Catch-up")
    assert not any("warning" in label for label in labels(puskesmas_head))


def test_head_sees_overdue_items_and_the_next_meeting(world, puskesmas_head):
    pkm = world["hsu"]["puskesmas"]
    all_reported(pkm, until=11)
    held = MeetingFactory(
        puskesmas=pkm, created_by=puskesmas_head, status="held", held_on=datetime.date(2026, 9, 1)
    )
    FollowUpFactory(meeting=held, due_on=datetime.date(2026, 11, 1))
    FollowUpFactory(meeting=held, due_on=datetime.date(2026, 11, 2), status="done")
    FollowUpFactory(meeting=held, due_on=datetime.date(2026, 12, 30))  # not due yet
    CommitmentFactory(meeting=held, due_on=datetime.date(2026, 10, 1), status="in_progress")
    next_one = MeetingFactory(
        puskesmas=pkm,
        created_by=puskesmas_head,
        kind="monthly_lokmin",
        title="Lokmin Desember",
        held_on=datetime.date(2026, 12, 10),
    )
    MeetingFactory(
        puskesmas=pkm,
        created_by=puskesmas_head,
        kind="monthly_lokmin",
        held_on=datetime.date(2027, 1, 10),
    )
    # Another district's overdue items never count.
    other = MeetingFactory(
        puskesmas=world["banjarmasin"]["puskesmas"], held_on=datetime.date(2026, 9, 1)
    )
    FollowUpFactory.create_batch(3, meeting=other, due_on=datetime.date(2026, 11, 1))
    rtl = item_with(puskesmas_head, "RTL item")
    assert rtl.count == 1 and rtl.tone == "danger"
    assert rtl.url == reverse("workshops:followup-board") + "?type=rtl&overdue=on"
    commitment = item_with(puskesmas_head, "commitment")
    assert commitment.count == 1
    assert commitment.url == reverse("workshops:followup-board") + "?type=commitment&overdue=on"
    meeting = item_with(puskesmas_head, "Next meeting")
    assert "Lokmin Desember" in str(meeting.label)
    assert meeting.url == reverse("workshops:meeting-detail", args=[next_one.pk])


def test_the_board_link_lists_exactly_the_counted_items(client, world, puskesmas_head):
    pkm = world["hsu"]["puskesmas"]
    held = MeetingFactory(
        puskesmas=pkm, created_by=puskesmas_head, status="held", held_on=datetime.date(2026, 1, 5)
    )
    FollowUpFactory.create_batch(2, meeting=held, due_on=datetime.date(2026, 2, 1))
    FollowUpFactory(meeting=held, due_on=datetime.date(2026, 2, 1), status="dropped")
    today = timezone.localdate()
    item = item_with(puskesmas_head, "RTL items", today=today)
    client.force_login(puskesmas_head)
    response = client.get(item.url)
    assert response.status_code == 200
    assert response.context["counts"]["overdue"] == item.count == 2


def test_head_sees_unread_notifications(world, puskesmas_head, district_user):
    pkm = world["hsu"]["puskesmas"]
    all_reported(pkm, until=11)
    for n in range(4):
        Notification.objects.create(
            recipient=puskesmas_head,
            kind="report_returned",
            title=f"Report returned {n}",
            url="/reports/1/",
            puskesmas=pkm,
        )
    Notification.objects.create(
        recipient=puskesmas_head, kind="x", title="Read", puskesmas=pkm, read_at=timezone.now()
    )
    Notification.objects.create(recipient=district_user, kind="x", title="Not theirs")
    summary = item_with(puskesmas_head, "Unread notifications")
    assert summary.count == 4 and summary.url == reverse("kernel:inbox")
    newest = Notification.objects.filter(recipient=puskesmas_head, read_at=None).first()
    assert item_with(puskesmas_head, newest.title).url == reverse(
        "kernel:notification-open", args=[newest.pk]
    )
    titles = labels(puskesmas_head)
    assert "Read" not in titles and "Not theirs" not in titles
    assert sum(title.startswith("Report returned") for title in titles) == 3  # the newest few


def test_head_sees_a_returned_ruk(world, puskesmas_head):
    pkm = world["hsu"]["puskesmas"]
    all_reported(pkm, until=11)
    plan = Plan.objects.create(
        district=pkm.district,
        puskesmas=pkm,
        year=2027,
        status="returned",
        return_reason="Anggaran BOK melebihi pagu",
        created_by=puskesmas_head,
    )
    item = item_with(puskesmas_head, "RUK 2027 returned")
    assert item.url == reverse("planning:plan-detail", args=[plan.pk])
    assert item.detail == "Anggaran BOK melebihi pagu"


def test_head_never_sees_another_puskesmas(world, puskesmas_head):
    all_reported(world["hsu"]["puskesmas"], until=11)
    other = world["banjarmasin"]["puskesmas"]
    report(other, 3, "returned", reason="not yours")
    Plan.objects.create(
        district=other.district,
        puskesmas=other,
        year=2027,
        status="returned",
        created_by=puskesmas_head,
    )
    assert todo_for(puskesmas_head, TODAY) == []


# --- District planner ---------------------------------------------------------------------------


def approve_targets(district, *years):
    for year in years:
        TargetApproval.objects.create(district=district, year=year, status="approved")


def test_planner_sees_reports_waiting_and_unlock_requests(world, district_user):
    hsu = world["hsu"]
    approve_targets(hsu["district"], 2026, 2027)
    second = PuskesmasFactory(subdistrict=hsu["subdistrict"], name="Puskesmas Dua")
    first = report(hsu["puskesmas"], 10, "submitted")
    assert item_with(district_user, "waiting for your approval").url == entry_url(first)
    report(second, 10, "submitted")
    report(world["banjarmasin"]["puskesmas"], 10, "submitted")  # another district
    waiting = item_with(district_user, "waiting for your approval")
    assert waiting.count == 2
    assert waiting.url == reverse("indicators:review-list")
    approved = report(hsu["puskesmas"], 9, "approved")
    UnlockRequest.objects.create(report=approved, reason="Salah ketik", requested_by=district_user)
    unlock = item_with(district_user, "unlock request")
    assert unlock.count == 1 and unlock.url == entry_url(approved)
    other = report(world["banjarmasin"]["puskesmas"], 9, "approved")
    UnlockRequest.objects.create(report=other, reason="x", requested_by=district_user)
    assert item_with(district_user, "unlock request").count == 1


def test_the_waiting_link_lists_the_counted_reports(client, world, district_user):
    hsu = world["hsu"]
    second = PuskesmasFactory(subdistrict=hsu["subdistrict"], name="Puskesmas Dua")
    year = timezone.localdate().year
    report(hsu["puskesmas"], 1, "submitted", year=year)
    report(second, 1, "submitted", year=year)
    report(world["banjarmasin"]["puskesmas"], 1, "submitted", year=year)
    item = item_with(district_user, "waiting for your approval", today=timezone.localdate())
    client.force_login(district_user)
    content = client.get(item.url).content.decode()
    assert item.count == 2
    assert "Puskesmas Dua" in content and hsu["puskesmas"].name in content
    assert world["banjarmasin"]["puskesmas"].name not in content


def test_planner_sees_targets_to_approve(world, district_user):
    district = world["hsu"]["district"]
    items = [i for i in items_of(district_user) if "targets" in str(i.label)]
    assert [str(i.label) for i in items] == [
        "The 2026 targets are not approved yet",
        "The 2027 targets are not approved yet",
    ]
    assert items[0].url == (
        reverse("indicators:target-list") + f"?year=2026&district={district.pk}"
    )
    assert items[0].tone == "warning" and items[1].tone == "info"
    approve_targets(district, 2026)
    approve_targets(world["banjarmasin"]["district"], 2027)  # another district's approval
    assert [str(i.label) for i in items_of(district_user) if "targets" in str(i.label)] == [
        "The 2027 targets are not approved yet"
    ]


def test_planner_sees_ruks_to_review(world, district_user):
    hsu = world["hsu"]
    approve_targets(hsu["district"], 2026, 2027)
    one = Plan.objects.create(
        district=hsu["district"],
        puskesmas=hsu["puskesmas"],
        year=2027,
        status="submitted",
        created_by=district_user,
    )
    Plan.objects.create(
        district=hsu["district"], year=2027, status="submitted", created_by=district_user
    )  # the Dinkes plan is not reviewed
    bjm = world["banjarmasin"]
    Plan.objects.create(
        district=bjm["district"],
        puskesmas=bjm["puskesmas"],
        year=2027,
        status="submitted",
        created_by=district_user,
    )
    item = item_with(district_user, "RUK 2027")
    assert item.count == 1 and item.url == reverse("planning:plan-detail", args=[one.pk])
    second = PuskesmasFactory(subdistrict=hsu["subdistrict"])
    Plan.objects.create(
        district=hsu["district"],
        puskesmas=second,
        year=2027,
        status="submitted",
        created_by=district_user,
    )
    item = item_with(district_user, "RUK 2027")
    assert item.count == 2
    assert item.url == reverse("planning:ruk-list") + "?year=2027&status=submitted"


def test_the_ruk_list_link_shows_the_submitted_ones(client, world, district_user):
    hsu = world["hsu"]
    second = PuskesmasFactory(subdistrict=hsu["subdistrict"], name="Puskesmas Dua")
    PuskesmasFactory(subdistrict=hsu["subdistrict"], name="Puskesmas Tiga")
    year = timezone.localdate().year + 1
    for pkm in (hsu["puskesmas"], second):
        Plan.objects.create(
            district=hsu["district"],
            puskesmas=pkm,
            year=year,
            status="submitted",
            created_by=district_user,
        )
    item = item_with(district_user, f"RUK {year}", today=timezone.localdate())
    client.force_login(district_user)
    content = client.get(item.url).content.decode()
    assert "Puskesmas Dua" in content and "Puskesmas Tiga" not in content


def test_planner_sees_overdue_items_by_puskesmas(world, district_user):
    hsu = world["hsu"]
    approve_targets(hsu["district"], 2026, 2027)
    second = PuskesmasFactory(subdistrict=hsu["subdistrict"], name="Puskesmas Dua")
    for pkm, count in ((hsu["puskesmas"], 1), (second, 3)):
        meeting = MeetingFactory(puskesmas=pkm, held_on=datetime.date(2026, 8, 1))
        FollowUpFactory.create_batch(count, meeting=meeting, due_on=datetime.date(2026, 9, 1))
    CommitmentFactory(meeting=meeting, due_on=datetime.date(2026, 9, 1))
    forum = MeetingFactory(
        puskesmas=None,
        district=hsu["district"],
        kind="district_forum",
        held_on=datetime.date(2026, 8, 1),
    )
    FollowUpFactory(meeting=forum, due_on=datetime.date(2026, 9, 1))
    other = MeetingFactory(
        puskesmas=world["banjarmasin"]["puskesmas"], held_on=datetime.date(2026, 8, 1)
    )
    FollowUpFactory.create_batch(5, meeting=other, due_on=datetime.date(2026, 9, 1))
    items = [i for i in items_of(district_user) if "overdue" in str(i.label)]
    assert [str(i.label) for i in items] == [
        "Puskesmas Dua: 3 RTL items, 1 commitment overdue",
        f"{hsu['puskesmas'].name}: 1 RTL item overdue",
        "District cross-sector forum: 1 RTL item overdue",
    ]
    board = reverse("workshops:followup-board")
    assert items[0].url == f"{board}?puskesmas={second.pk}&overdue=on"
    assert items[2].url == f"{board}?kind=district_forum&overdue=on"


def test_planner_with_nothing_waiting_sees_the_empty_state(client, world, district_user):
    approve_targets(world["hsu"]["district"], *range(2024, 2028))
    report(world["banjarmasin"]["puskesmas"], 10, "submitted")
    client.force_login(district_user)
    response = client.get(HOME)
    assert response.context["todo"] == []
    assert 'data-testid="todo-empty"' in response.content.decode()
    assert 'data-testid="area-summary"' in response.content.decode()


# --- Province reviewer --------------------------------------------------------------------------


def test_province_sees_districts_behind_on_completeness(world, province_user):
    hsu, bjm = world["hsu"], world["banjarmasin"]
    all_reported(hsu["puskesmas"], until=10)  # November is not due before 10 December
    all_reported(bjm["puskesmas"], until=7)
    report(bjm["puskesmas"], 8, "submitted")  # not approved: still behind
    items = items_of(province_user)
    assert [str(i.label) for i in items] == [
        "Kota Banjarmasin: 3 reports due and not approved",
        "Districts behind: 1 of 2. Open the province dashboard",
    ]
    assert items[0].url == reverse("indicators:dashboard-district", args=[bjm["district"].pk])
    assert items[1].url == reverse("indicators:dashboard")
    assert "7 of 10" in str(items[0].detail)


def test_province_never_sees_another_province(world, other_province_user):
    # Kota Bontang has reported nothing; the Kalimantan Selatan districts are not counted.
    items = items_of(other_province_user)
    assert [str(i.label) for i in items][0] == "Kota Bontang: 10 reports due and not approved"
    assert len(items) == 2


def test_admin_sees_only_the_empty_state(client, world, admin_user):
    client.force_login(admin_user)
    response = client.get(HOME)
    assert response.status_code == 200 and response.context["todo"] == []


# --- The page -----------------------------------------------------------------------------------


def test_home_shows_the_todo_before_the_area_summary(client, world, puskesmas_head):
    pkm = world["hsu"]["puskesmas"]
    returned = report(
        pkm, 1, year=timezone.localdate().year, status="returned", reason="Periksa K1"
    )
    client.force_login(puskesmas_head)
    content = client.get(HOME).content.decode()
    assert content.index('data-testid="todo"') < content.index('data-testid="area-summary"')
    assert f'href="{entry_url(returned)}"' in content
    assert "Periksa K1" in content


def _grow_district(world, size: int, planner: User) -> None:
    """`size` more puskesmas in the planner's district, each with a report waiting, an unlock
    request, a RUK submitted and overdue RTL items and commitments."""
    hsu = world["hsu"]
    year = timezone.localdate().year
    for _n in range(size):
        pkm = PuskesmasFactory(subdistrict=hsu["subdistrict"])
        VillageFactory(subdistrict=hsu["subdistrict"], puskesmas=pkm)
        report(pkm, 1, "submitted", year=year)
        approved = report(pkm, 2, "approved", year=year)
        UnlockRequest.objects.create(report=approved, reason="x", requested_by=planner)
        Plan.objects.create(
            district=hsu["district"],
            puskesmas=pkm,
            year=year + 1,
            status="submitted",
            created_by=planner,
        )
        meeting = MeetingFactory(puskesmas=pkm, held_on=datetime.date(year, 1, 2))
        FollowUpFactory(meeting=meeting, due_on=datetime.date(year, 1, 3))
        CommitmentFactory(meeting=meeting, due_on=datetime.date(year, 1, 3))


def _queries(client, user) -> int:
    client.force_login(user)
    client.get(HOME)  # warm: session, caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME).status_code == 200
    return len(queries)


def test_planner_home_queries_do_not_grow(client, world, district_user):
    _grow_district(world, 2, district_user)
    few = _queries(client, district_user)
    _grow_district(world, 8, district_user)
    assert _queries(client, district_user) == few


def test_head_home_queries_do_not_grow(client, world, puskesmas_head):
    pkm = world["hsu"]["puskesmas"]
    village = world["hsu"]["villages"][0]
    service = spm.monthly_services(timezone.localdate().year)[0]
    year = timezone.localdate().year - 1

    def grow(months):
        for month in months:
            r = report(pkm, month, "returned" if month % 2 else "draft", year=year)
            MonthlyValue.objects.create(report=r, village=village, service=service, value=5)
            meeting = MeetingFactory(puskesmas=pkm, held_on=datetime.date(year, month, 1))
            FollowUpFactory(meeting=meeting, due_on=datetime.date(year, month, 2))
            Notification.objects.create(
                recipient=puskesmas_head, kind="x", title="n", puskesmas=pkm
            )

    grow(range(1, 3))
    few = _queries(client, puskesmas_head)
    grow(range(3, 11))
    assert _queries(client, puskesmas_head) == few


def test_province_home_queries_do_not_grow(client, world, province_user):
    year = timezone.localdate().year

    def grow(size):
        for _n in range(size):
            district = DistrictFactory(province=world["kalsel"])
            sub = SubdistrictFactory(district=district)
            pkm = PuskesmasFactory(subdistrict=sub)
            report(pkm, 1, "approved", year=year)

    grow(2)
    few = _queries(client, province_user)
    grow(8)
    assert _queries(client, province_user) == few

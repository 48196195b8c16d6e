"""Per-cell saves on the entry page (issue #13): a small request, a small JSON answer; conflicts
per cell; the same checks, audit and rights as the whole-form save."""

import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from indicators import services
from indicators.models import MonthlyReport, MonthlyValue, Target, ValueChange
from kernel.models import AuditEvent

from ..factories import UserFactory, VillageFactory

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def report(world, puskesmas_head):
    return services.report_open(
        puskesmas=world["hsu"]["puskesmas"], year=YEAR, month=1, by=puskesmas_head
    )


@pytest.fixture
def grid(report):
    return services.working_area(report.puskesmas), services.monthly_services(YEAR)


def _cell(grid, v, s, value, *, base=1, seen=None, comment=None, **extra):
    villages, spm = grid
    name = f"{villages[v].pk}-{spm[s].pk}"
    data = {"base": base, f"v-{name}": value, **extra}
    if comment is not None:
        data[f"c-{name}"] = comment
    if seen is not None:
        data[f"o-{name}"] = seen
    return f"v-{name}", data


def _save(client, report, data):
    return client.post(reverse("indicators:report-cells", kwargs={"pk": report.pk}), data)


def test_a_cell_save_answers_the_cell_its_figures_and_its_service(en, report, grid, puskesmas_head):
    villages, spm = grid
    for village, target in ((villages[0], 10), (villages[1], 30)):
        Target.objects.create(
            village=village,
            year=YEAR,
            service=spm[0],
            source="estimate",
            value=target,
            is_of_record=True,
        )
    en.force_login(puskesmas_head)
    field, data = _cell(grid, 0, 0, "4", seen="", comment="")
    response = _save(en, report, data)
    assert response.status_code == 200
    answer = response.json()
    assert answer["changed"] == 1 and answer["version"] == 2
    assert answer["cells"][field] == {
        "value": 4,
        "comment": "",
        "ytd": 4,
        "target": 10,
        "pct": 40,
        "warnings": [],
    }
    assert answer["services"][str(spm[0].pk)] == {"ytd": 4, "target": 40, "pct": 10}
    assert MonthlyValue.objects.get().value == 4
    change = ValueChange.objects.get()
    assert (change.old_value, change.new_value, change.changed_by) == (None, 4, puskesmas_head)
    assert report.events.filter(action=AuditEvent.Action.SAVED).count() == 1
    # Over the target: the warning comes back with the save, at its cell.
    field, data = _cell(grid, 0, 0, "12", base=2, seen="4")
    answer = _save(en, report, data).json()
    assert "over the annual target" in answer["cells"][field]["warnings"][0]


def test_another_users_save_of_a_different_cell_never_refuses_mine(
    en, report, grid, puskesmas_head, puskesmas_staff
):
    en.force_login(puskesmas_staff)
    assert _save(en, report, _cell(grid, 1, 0, "4", base=1, seen="")[1]).status_code == 200
    en.force_login(puskesmas_head)
    assert _save(en, report, _cell(grid, 0, 0, "9", base=1, seen="")[1]).status_code == 200
    # Even without the page's seen value: that cell was not written since version 1.
    assert _save(en, report, _cell(grid, 0, 1, "2", base=1)[1]).status_code == 200
    assert sorted(MonthlyValue.objects.values_list("value", flat=True)) == [2, 4, 9]


@pytest.mark.parametrize("seen", ["", None])
def test_a_save_over_a_cell_changed_since_is_refused_with_their_value_and_who(
    en, report, grid, puskesmas_head, puskesmas_staff, seen
):
    en.force_login(puskesmas_staff)
    assert _save(en, report, _cell(grid, 0, 0, "4", base=1, seen="")[1]).status_code == 200
    en.force_login(puskesmas_head)
    field, data = _cell(grid, 0, 0, "9", base=1, seen=seen)
    response = _save(en, report, data)
    assert response.status_code == 409
    conflict = response.json()["conflicts"][field]
    who = puskesmas_staff.get_full_name() or puskesmas_staff.username
    assert conflict["value"] == 4 and conflict["by"] == who
    assert f"{who} saved 4" in conflict["message"]
    assert MonthlyValue.objects.get().value == 4
    assert ValueChange.objects.count() == 1
    # Having seen their value, the user may still save theirs over it.
    assert _save(en, report, _cell(grid, 0, 0, "9", base=2, seen="4")[1]).status_code == 200
    assert MonthlyValue.objects.get().value == 9


def test_a_cell_the_user_saved_can_be_saved_again(en, report, grid, puskesmas_head):
    en.force_login(puskesmas_head)
    version = _save(en, report, _cell(grid, 0, 0, "4", seen="")[1]).json()["version"]
    response = _save(en, report, _cell(grid, 0, 0, "5", base=version, seen="4")[1])
    assert response.status_code == 200
    assert MonthlyValue.objects.get().value == 5


@pytest.mark.parametrize(
    "typed,expected", [("-3", "negative"), ("2.5", "whole number"), ("9" * 12, "implausibly")]
)
def test_a_bad_value_is_refused_at_its_cell(en, report, grid, puskesmas_head, typed, expected):
    en.force_login(puskesmas_head)
    field, data = _cell(grid, 0, 0, typed)
    response = _save(en, report, data)
    assert response.status_code == 400
    assert expected in response.json()["errors"][field]
    assert not MonthlyValue.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"base": "1"},
        {"base": "x", "v-1-1": "2"},
        {"base": "1", "v-999999-1": "2"},
        {"base": "1", **{f"v-{i}-{i}": "1" for i in range(30)}},
    ],
)
def test_malformed_cell_saves_are_refused_and_save_nothing(en, report, puskesmas_head, data):
    en.force_login(puskesmas_head)
    response = _save(en, report, data)
    assert response.status_code == 400 and response.json()["message"]
    assert not MonthlyValue.objects.exists()


def test_only_the_puskesmas_saves_and_only_while_editable(
    en, world, report, grid, puskesmas_head, district_user
):
    data = _cell(grid, 0, 0, "4")[1]
    en.force_login(district_user)
    assert _save(en, report, data).status_code == 403
    other = UserFactory(
        username="other", role="puskesmas_head", puskesmas=world["banjarmasin"]["puskesmas"]
    )
    en.force_login(other)
    assert _save(en, report, data).status_code == 404
    en.force_login(puskesmas_head)
    assert en.get(reverse("indicators:report-cells", kwargs={"pk": report.pk})).status_code == 405
    assert _save(en, report, data).status_code == 200
    report.refresh_from_db()
    services.report_submit(
        report=report, version=report.version, by=puskesmas_head, allow_blank=True
    )
    response = _save(en, report, _cell(grid, 0, 0, "5", base=3, seen="4")[1])
    assert response.status_code == 400 and "no longer be changed" in response.json()["message"]
    assert MonthlyValue.objects.get().value == 4


def test_after_a_submission_a_cell_change_needs_a_reason(en, report, grid, puskesmas_head):
    en.force_login(puskesmas_head)
    _save(en, report, _cell(grid, 0, 0, "4", seen="")[1])
    report.refresh_from_db()
    services.report_submit(
        report=report, version=report.version, by=puskesmas_head, allow_blank=True
    )
    MonthlyReport.objects.filter(pk=report.pk).update(status="returned")
    response = _save(en, report, _cell(grid, 0, 0, "5", base=3, seen="4")[1])
    assert response.status_code == 400 and "say why" in response.json()["message"]
    data = _cell(grid, 0, 0, "5", base=3, seen="4", reason="Register posyandu terlambat")[1]
    assert _save(en, report, data).status_code == 200
    assert ValueChange.objects.filter(reason="Register posyandu terlambat").count() == 1


def test_cell_save_query_count_does_not_grow_with_desa(en, world, report, grid, puskesmas_head):
    en.force_login(puskesmas_head)
    _save(en, report, _cell(grid, 0, 0, "1", seen="")[1])

    def count(value, base, seen):
        with CaptureQueriesContext(connection) as queries:
            response = _save(en, report, _cell(grid, 0, 0, value, base=base, seen=seen)[1])
        assert response.status_code == 200
        return len(queries), response.json()["version"]

    few, version = count("2", 2, "1")
    for index in range(20):
        VillageFactory(
            code=f"63.08.01.29{index:02d}",
            subdistrict=world["hsu"]["subdistrict"],
            puskesmas=report.puskesmas,
        )
    many, _version = count("3", version, "2")
    assert many == few, (few, many)


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_different_cells_all_land_on_postgresql(world, puskesmas_head):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: no race to lose")
    report = services.report_open(
        puskesmas=world["hsu"]["puskesmas"], year=YEAR, month=1, by=puskesmas_head
    )
    villages, spm = services.working_area(report.puskesmas), services.monthly_services(YEAR)
    barrier, results = threading.Barrier(4), []

    def save(index):
        translation.activate("en")
        try:
            mine = MonthlyReport.objects.get(pk=report.pk)
            cell = (villages[index % len(villages)].pk, spm[index].pk)
            barrier.wait()
            services.report_save(
                report=mine,
                cells={cell: services.CellInput(index + 1, "", (None, ""))},
                version=1,
                by=puskesmas_head,
            )
            results.append("saved")
        except Exception as error:  # noqa: BLE001 (the test reports what went wrong)
            results.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["saved"] * 4, results
    assert MonthlyValue.objects.filter(report=report).count() == 4
    report.refresh_from_db()
    assert report.version == 5

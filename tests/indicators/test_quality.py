"""SPM quality (issue #16): the loaded checklist, pre-filling from targets, per-value versioned
saves, and the review workflow with its rights and reasons."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from indicators.models import (
    IndexParts,
    QualityItem,
    QualityReport,
    QualityValue,
    SPMEdition,
    SPMService,
    Target,
)
from indicators.services import aggregation
from indicators.services.quality import (
    ValueInput,
    quality_report_approve,
    quality_report_open,
    quality_report_reopen,
    quality_report_return,
    quality_report_submit,
    quality_value_save,
)
from kernel.models import AuditEvent, User
from kernel.versioning import StaleEdit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
YEAR = 2025


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English."""
    translation.activate("en")


def _service(number, year=YEAR):
    return SPMService.objects.get(
        edition__years__year=year, level=SPMService.Level.DISTRICT, number=number
    )


def _item(number, code, year=YEAR):
    return QualityItem.objects.get(service=_service(number, year), code=code)


def _target(village, number, value, year=YEAR):
    return Target.objects.create(
        village=village,
        year=year,
        service=_service(number, year),
        source=Target.Source.ESTIMATE,
        value=value,
        is_of_record=True,
    )


@pytest.fixture
def report(world, puskesmas_head):
    villages = world["hsu"]["villages"]
    _target(villages[0], 1, 120)
    _target(villages[1], 1, 80)
    return quality_report_open(
        puskesmas=world["hsu"]["puskesmas"], year=YEAR, quarter=2, by=puskesmas_head
    )


def _value(report, number, code):
    return QualityValue.objects.get(report=report, item=_item(number, code, report.year))


def _save(report, number, code, by, **fields):
    value = QualityValue.objects.filter(report=report, item=_item(number, code)).first()
    entry = ValueInput(
        needed=fields.get("needed", value.needed if value else None),
        available=fields.get("available", value.available if value else None),
        note=fields.get("note", value.note if value else ""),
        version=fields.get("version", value.version if value else None),
        fields=tuple(k for k in ("needed", "available", "note") if k in fields),
    )
    return quality_value_save(report=report, item=_item(number, code), entry=entry, by=by)


# --- The loaded standard -------------------------------------------------------------------------


def test_every_edition_has_unverified_index_parts_80_20_with_a_source(spm_catalogue):
    for edition in SPMEdition.objects.all():
        parts = IndexParts.objects.get(edition=edition)
        assert (parts.people_served_weight, parts.quality_weight) == (Decimal(80), Decimal(20))
        assert not parts.is_verified and "SPM" in parts.source


def test_every_district_service_of_every_edition_has_an_unverified_checklist(spm_catalogue):
    for service in SPMService.objects.filter(level=SPMService.Level.DISTRICT):
        items = list(service.quality_items.all())
        kinds = {item.kind for item in items}
        assert {"goods", "staff", "facility"} <= kinds, service
        for item in items:
            assert not item.is_verified and item.source, item.code
            assert item.name_id and item.name_en and item.unit
    maternal = _service(1, 2025)
    codes = set(maternal.quality_items.values_list("code", flat=True))
    assert {"buku-kia", "ttd-90", "imunisasi-td", "lab-hb", "tes-hiv", "tes-sifilis"} <= codes
    assert _item(1, "ttd-90").quantity == 90
    # The editions differ where the standard did: 6 antenatal visits from 2025, 4 before.
    assert _item(1, "kunjungan-anc", 2025).quantity == 6
    assert _item(1, "kunjungan-anc", 2024).quantity == 4
    assert maternal.quality_items.filter(code="usg").exists()
    assert not _service(1, 2024).quality_items.filter(code="usg").exists()


def test_loading_the_standard_again_keeps_a_districts_edits(spm_catalogue):
    import importlib

    from django.apps import apps

    item = _item(1, "ttd-90")
    item.quantity, item.is_verified = Decimal(120), True
    item.save()
    importlib.import_module("indicators.migrations.0021_load_quality_standard").load(apps, None)
    item.refresh_from_db()
    assert (item.quantity, item.is_verified) == (Decimal(120), True)


# --- Opening: needs pre-filled from data ---------------------------------------------------------


def test_opening_prefills_needed_from_targets_of_record_and_quantities(report, world):
    # per person: 200 pregnant women x 90 tablets; no target for newborns: blank
    assert _value(report, 1, "ttd-90").needed == Decimal(18000)
    assert _value(report, 1, "buku-kia").needed == Decimal(200)
    assert _value(report, 1, "kunjungan-anc").needed == Decimal(1200)
    assert _value(report, 3, "vitamin-k1").needed is None
    # per puskesmas: the quantity; per desa: the quantity x the working area's 2 desa
    assert _value(report, 1, "dokter").needed == Decimal(1)
    assert _value(report, 1, "bidan-desa").needed == Decimal(2)
    assert _value(report, 2, "partus-set").needed == Decimal(4)
    assert all(v.available is None for v in report.values.all())
    event = AuditEvent.objects.get(object_id=report.pk, action="created")
    assert event.puskesmas_id == report.puskesmas_id


def test_only_targets_of_record_count_in_the_prefill(world, puskesmas_head):
    village = world["hsu"]["villages"][0]
    _target(village, 1, 100)
    Target.objects.create(
        village=village,
        year=YEAR,
        service=_service(1),
        source=Target.Source.DUKCAPIL,
        value=999,
        is_of_record=False,
    )
    report = quality_report_open(
        puskesmas=world["hsu"]["puskesmas"], year=YEAR, quarter=1, by=puskesmas_head
    )
    assert _value(report, 1, "buku-kia").needed == Decimal(100)


def test_opening_twice_gives_the_same_report_and_adds_items_added_since(report, puskesmas_head):
    count = report.values.count()
    new = QualityItem.objects.create(
        service=_service(1),
        code="kartu-kontrol",
        name_id="Kartu",
        name_en="Card",
        kind="goods",
        unit="lembar",
        quantity=Decimal(2),
    )
    again = quality_report_open(puskesmas=report.puskesmas, year=YEAR, quarter=2, by=puskesmas_head)
    assert again.pk == report.pk
    assert again.values.count() == count + 1
    assert _value(report, 1, "kartu-kontrol").needed == Decimal(400)
    assert new.pk


@pytest.mark.parametrize("quarter", [0, 5, "x"])
def test_a_quarter_outside_1_to_4_is_refused(world, puskesmas_head, quarter):
    with pytest.raises(ValidationError):
        quality_report_open(
            puskesmas=world["hsu"]["puskesmas"], year=YEAR, quarter=quarter, by=puskesmas_head
        )


def test_a_quarter_not_begun_and_a_year_without_edition_are_refused(world, puskesmas_head):
    import datetime

    with pytest.raises(ValidationError, match="before"):
        quality_report_open(
            puskesmas=world["hsu"]["puskesmas"],
            year=YEAR,
            quarter=4,
            by=puskesmas_head,
            today=datetime.date(YEAR, 9, 30),
        )
    with pytest.raises(ValidationError):
        quality_report_open(
            puskesmas=world["hsu"]["puskesmas"], year=1999, quarter=1, by=puskesmas_head
        )


def test_only_the_puskesmas_own_people_start_its_report(world, district_user):
    other_head = UserFactory(
        role=User.Role.PUSKESMAS_HEAD, puskesmas=world["banjarmasin"]["puskesmas"]
    )
    for user in (district_user, other_head):
        with pytest.raises(PermissionDenied):
            quality_report_open(puskesmas=world["hsu"]["puskesmas"], year=YEAR, quarter=1, by=user)
    assert not QualityReport.objects.exists()


# --- Saving one value ----------------------------------------------------------------------------


def test_a_value_saves_versioned_and_audited(report, puskesmas_staff):
    value = _save(report, 1, "ttd-90", puskesmas_staff, available=Decimal(9000), note="stok")
    assert (value.available, value.note, value.version, value.updated_by) == (
        Decimal(9000),
        "stok",
        2,
        puskesmas_staff,
    )
    report.refresh_from_db()
    assert report.version == 2
    event = AuditEvent.objects.filter(object_id=report.pk, action="saved").get()
    assert event.data["item"] == "ttd-90" and event.by == puskesmas_staff


def test_needed_can_be_overridden(report, puskesmas_head):
    _save(report, 1, "ttd-90", puskesmas_head, needed=Decimal(15000))
    assert _value(report, 1, "ttd-90").needed == Decimal(15000)


def test_a_stale_save_is_refused_with_who_and_both_values(report, puskesmas_head, puskesmas_staff):
    seen = _value(report, 1, "ttd-90").version
    _save(report, 1, "ttd-90", puskesmas_staff, available=Decimal(5000), version=seen)
    with pytest.raises(StaleEdit) as refused:
        _save(report, 1, "ttd-90", puskesmas_head, available=Decimal(7000), version=seen)
    assert refused.value.who == (puskesmas_staff.get_full_name() or puskesmas_staff.username)
    difference = refused.value.differences[0]
    assert (difference.theirs, difference.yours) == ("5000.00", "7000.00")
    assert _value(report, 1, "ttd-90").available == Decimal(5000)
    # other items never conflict
    _save(report, 1, "buku-kia", puskesmas_head, available=Decimal(150))


def test_a_note_loses_control_characters_and_a_long_note_is_refused(report, puskesmas_head):
    value = _save(report, 1, "ttd-90", puskesmas_head, note="stok\x00 habis\x07")
    assert value.note == "stok habis"
    with pytest.raises(ValidationError):
        _save(report, 1, "ttd-90", puskesmas_head, note="x" * 301)


def test_values_are_saved_only_by_the_puskesmas_people_while_editable(
    report, world, district_user, puskesmas_head
):
    other_head = UserFactory(
        role=User.Role.PUSKESMAS_HEAD, puskesmas=world["banjarmasin"]["puskesmas"]
    )
    for user in (district_user, other_head):
        with pytest.raises(PermissionDenied):
            _save(report, 1, "ttd-90", user, available=Decimal(1))
    _save(report, 1, "ttd-90", puskesmas_head, available=Decimal(1))
    report.refresh_from_db()
    quality_report_submit(report=report, version=report.version, by=puskesmas_head)
    with pytest.raises(ValidationError, match="submitted"):
        _save(report, 1, "ttd-90", puskesmas_head, available=Decimal(2))
    assert _value(report, 1, "ttd-90").available == Decimal(1)


def test_an_item_of_another_edition_is_refused(report, puskesmas_head):
    old = _item(1, "ttd-90", 2024)
    with pytest.raises(ValidationError):
        quality_value_save(
            report=report,
            item=old,
            entry=ValueInput(available=Decimal(1), fields=("available",)),
            by=puskesmas_head,
        )


# --- Workflow ------------------------------------------------------------------------------------


@pytest.fixture
def refreshes(monkeypatch):
    called = []
    monkeypatch.setattr(
        aggregation,
        "quality_refresh_later",
        lambda *, report: called.append(report.pk),
        raising=False,
    )
    return called


def _submitted(report, by):
    _save(report, 1, "ttd-90", by, available=Decimal(9000))
    report.refresh_from_db()
    quality_report_submit(report=report, version=report.version, by=by)
    report.refresh_from_db()
    return report


def test_submitting_needs_something_available_and_the_version_seen(report, puskesmas_staff):
    with pytest.raises(ValidationError, match="available"):
        quality_report_submit(report=report, version=report.version, by=puskesmas_staff)
    _save(report, 1, "ttd-90", puskesmas_staff, available=Decimal(9000))
    with pytest.raises(ValidationError):
        quality_report_submit(report=report, version=1, by=puskesmas_staff)
    report.refresh_from_db()
    quality_report_submit(report=report, version=report.version, by=puskesmas_staff)
    report.refresh_from_db()
    assert (report.status, report.submitted_by) == ("submitted", puskesmas_staff)


def test_a_district_planner_cannot_submit_and_a_puskesmas_cannot_approve(
    report, district_user, puskesmas_head
):
    _save(report, 1, "ttd-90", puskesmas_head, available=Decimal(9000))
    report.refresh_from_db()
    with pytest.raises(PermissionDenied):
        quality_report_submit(report=report, version=report.version, by=district_user)
    quality_report_submit(report=report, version=report.version, by=puskesmas_head)
    with pytest.raises(PermissionDenied):
        quality_report_approve(report=report, by=puskesmas_head)
    with pytest.raises(PermissionDenied):
        quality_report_return(report=report, by=puskesmas_head, reason="no")


def test_returning_needs_a_reason_the_puskesmas_reads(
    report, district_user, puskesmas_head, refreshes
):
    report = _submitted(report, puskesmas_head)
    with pytest.raises(ValidationError, match="Say why"):
        quality_report_return(report=report, by=district_user, reason="  ")
    quality_report_return(report=report, by=district_user, reason="Stok TTD tidak wajar")
    report.refresh_from_db()
    assert (report.status, report.return_reason, report.decided_by) == (
        "returned",
        "Stok TTD tidak wajar",
        district_user,
    )
    event = AuditEvent.objects.get(object_id=report.pk, action="returned")
    assert event.reason == "Stok TTD tidak wajar"
    assert refreshes == []  # nothing approved changed
    _save(report, 1, "ttd-90", puskesmas_head, available=Decimal(8000))  # editable again


def test_approving_and_reopening_refresh_the_quarter(
    report, district_user, puskesmas_head, refreshes
):
    report = _submitted(report, puskesmas_head)
    quality_report_approve(report=report, by=district_user, version=report.version)
    report.refresh_from_db()
    assert report.status == "approved" and refreshes == [report.pk]
    with pytest.raises(ValidationError):
        _save(report, 1, "ttd-90", puskesmas_head, available=Decimal(1))
    with pytest.raises(ValidationError, match="reopened"):
        quality_report_reopen(report=report, by=district_user, reason="")
    quality_report_reopen(report=report, by=district_user, reason="Data dokter salah")
    report.refresh_from_db()
    assert (report.status, report.return_reason) == ("draft", "Data dokter salah")
    assert refreshes == [report.pk, report.pk]
    assert AuditEvent.objects.get(object_id=report.pk, action="reopened").reason


def test_a_planner_of_another_district_cannot_review(report, puskesmas_head, other_district_user):
    report = _submitted(report, puskesmas_head)
    with pytest.raises(PermissionDenied):
        quality_report_approve(report=report, by=other_district_user)


def test_two_approvals_one_wins(report, district_user, puskesmas_head, refreshes):
    report = _submitted(report, puskesmas_head)
    stale_copy = QualityReport.objects.get(pk=report.pk)
    quality_report_approve(report=report, by=district_user)
    with pytest.raises(ValidationError, match="approved"):
        quality_report_approve(report=stale_copy, by=district_user)

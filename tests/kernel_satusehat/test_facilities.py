"""Facility proposals: matching by code, scoping of the pages, accept and reject."""

import pytest
from django.urls import reverse

from kernel.models import AuditEvent, FacilityProposal, ImportJob, Puskesmas

pytestmark = pytest.mark.django_db
Kind = ImportJob.Kind


def facility(code, name, *, other=None, city="6308", sub="", village="", kind="Puskesmas", **extra):
    return {
        "code": code,
        "name": name,
        "facility_type": {"code": "PKM" if kind == "Puskesmas" else "X", "name": kind},
        "other_codes": other or [],
        "address": {
            "line": extra.pop("line", ""),
            "province_code": city[:2],
            "city_code": city,
            "district_code": sub,
            "sub_district_code": village,
        },
        **extra,
    }


@pytest.fixture
def hsu_file(world):
    hsu = world["hsu"]
    puskesmas, village = hsu["puskesmas"], hsu["villages"][1]
    return {
        "data": [
            facility(
                "1000000001",
                puskesmas.name + " Baru",
                other=[{"system": "pusdatin_new", "code": puskesmas.code}],
                latitude=-2.41,
                longitude=115.25,
            ),
            facility(
                "1000000002",
                "Puskesmas Desa Baru",
                other={"pusdatin_new": "P99999"},
                sub=hsu["subdistrict"].code.replace(".", ""),
                village=village.code,
            ),
            facility("1000000003", "Klinik Sehat", kind="Klinik Pratama"),
            facility("1000000004", "Puskesmas Seberang", city="6371"),
        ]
    }


@pytest.fixture
def staged(world, district_user, run_import, hsu_file):
    job = run_import(Kind.SATUSEHAT_FACILITIES, hsu_file, district_user)
    assert job.status == ImportJob.Status.DONE, job.errors
    return job


def _proposal(job, kind):
    return FacilityProposal.objects.get(job=job, kind=kind)


def test_facilities_are_matched_by_code_and_others_skipped(world, staged):
    changed = _proposal(staged, FacilityProposal.Kind.CHANGED)
    assert changed.puskesmas == world["hsu"]["puskesmas"]
    fields = {c["field"]: (c["old"], c["new"]) for c in changed.changes}
    assert fields["name"][1].endswith(" Baru")
    assert fields["satusehat_code"] == ("", "1000000001")
    assert fields["latitude"] == ("", "-2.410000")
    new = _proposal(staged, FacilityProposal.Kind.NEW)
    assert new.puskesmas is None and new.kemenkes_code == "P99999"
    assert sorted(row["code"] for row in staged.result["skipped"]) == ["1000000003", "1000000004"]
    assert staged.district == world["hsu"]["district"]


def test_nothing_changes_before_acceptance(world, staged):
    puskesmas = Puskesmas.objects.get(pk=world["hsu"]["puskesmas"].pk)
    assert puskesmas.satusehat_code == "" and not puskesmas.name.endswith(" Baru")
    assert not Puskesmas.objects.filter(code="P99999").exists()


def test_the_page_shows_changes_old_to_new(client, district_user, staged):
    client.force_login(district_user)
    response = client.get(reverse("kernel:satusehat"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "1000000001" in body and "→" in body and 'data-field="name"' in body


def test_planner_accepts_a_change_through_the_page(client, world, district_user, staged):
    client.force_login(district_user)
    proposal = _proposal(staged, FacilityProposal.Kind.CHANGED)
    response = client.post(reverse("kernel:satusehat-accept", args=[proposal.pk]))
    assert response.status_code == 302
    puskesmas = Puskesmas.objects.get(pk=world["hsu"]["puskesmas"].pk)
    assert puskesmas.satusehat_code == "1000000001" and puskesmas.name.endswith(" Baru")
    assert str(puskesmas.latitude) == "-2.410000"
    assert puskesmas.other_codes == {"pusdatin_new": puskesmas.code}
    assert puskesmas.updated_by == district_user and puskesmas.version == 2
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.decided_by == district_user
    assert proposal.decided_at is not None
    assert AuditEvent.objects.filter(object_id=proposal.pk, to_status="accepted").exists()
    # Twice: refused, nothing more.
    client.post(reverse("kernel:satusehat-accept", args=[proposal.pk]))
    assert Puskesmas.objects.get(pk=puskesmas.pk).version == 2


def test_accepting_a_new_one_creates_the_puskesmas_in_the_address_subdistrict(
    client, world, district_user, staged
):
    client.force_login(district_user)
    proposal = _proposal(staged, FacilityProposal.Kind.NEW)
    client.post(reverse("kernel:satusehat-accept", args=[proposal.pk]))
    created = Puskesmas.objects.get(code="P99999")
    assert created.subdistrict == world["hsu"]["subdistrict"]
    assert created.district == world["hsu"]["district"]
    assert created.satusehat_code == "1000000002"


def test_a_new_one_with_an_unknown_subdistrict_is_refused_clearly(world, district_user, run_import):
    from django.core.exceptions import ValidationError

    from kernel.satusehat.facilities import proposal_accept

    data = {"data": [facility("1000000009", "Puskesmas Entah", sub="630899", village="6308992001")]}
    job = run_import(Kind.SATUSEHAT_FACILITIES, data, district_user)
    proposal = FacilityProposal.objects.get(job=job)
    with pytest.raises(ValidationError) as refused:
        proposal_accept(proposal=proposal, by=district_user)
    assert "63.08.99.2001" in " ".join(refused.value.messages)
    proposal.refresh_from_db()
    assert proposal.status == "pending"
    assert not Puskesmas.objects.filter(name="Puskesmas Entah").exists()


def test_a_puskesmas_saved_since_the_import_is_not_overwritten(world, district_user, staged):
    from django.core.exceptions import ValidationError

    from kernel.satusehat.facilities import proposal_accept
    from kernel.services.organisation import puskesmas_save

    puskesmas = Puskesmas.objects.get(pk=world["hsu"]["puskesmas"].pk)
    puskesmas.phone = "0812"
    puskesmas_save(puskesmas=puskesmas, by=district_user, version=puskesmas.version)
    proposal = _proposal(staged, FacilityProposal.Kind.CHANGED)
    with pytest.raises(ValidationError):
        proposal_accept(proposal=proposal, by=district_user)
    assert Puskesmas.objects.get(pk=puskesmas.pk).satusehat_code == ""


def test_planner_rejects_and_nothing_is_applied(client, world, district_user, staged):
    client.force_login(district_user)
    proposal = _proposal(staged, FacilityProposal.Kind.CHANGED)
    client.post(reverse("kernel:satusehat-reject", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.status == "rejected" and proposal.decided_by == district_user
    assert Puskesmas.objects.get(pk=world["hsu"]["puskesmas"].pk).satusehat_code == ""


def test_accept_all_applies_every_pending_one(client, world, district_user, staged):
    client.force_login(district_user)
    district = world["hsu"]["district"]
    client.post(reverse("kernel:satusehat-accept-all"), {"district": district.pk})
    assert not FacilityProposal.objects.filter(job=staged, status="pending").exists()
    assert Puskesmas.objects.filter(district=district).count() == 2


def test_another_districts_proposal_is_a_404(client, other_district_user, staged):
    client.force_login(other_district_user)
    proposal = _proposal(staged, FacilityProposal.Kind.CHANGED)
    for name in ("kernel:satusehat-accept", "kernel:satusehat-reject"):
        assert client.post(reverse(name, args=[proposal.pk])).status_code == 404
    response = client.get(reverse("kernel:satusehat"))
    assert b"1000000001" not in response.content
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_puskesmas_staff_and_heads_cannot(client, puskesmas_staff, puskesmas_head, staged):
    proposal = _proposal(staged, FacilityProposal.Kind.CHANGED)
    for user in (puskesmas_staff, puskesmas_head):
        client.force_login(user)
        assert client.get(reverse("kernel:satusehat")).status_code == 403
        assert client.post(reverse("kernel:satusehat-accept", args=[proposal.pk])).status_code in (
            403,
            404,
        )
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_province_reviewers_see_no_proposals(
    client, world, province_user, other_province_user, staged
):
    """Proposals are unapplied data, like import jobs: a province reads approved data only."""
    proposal = _proposal(staged, FacilityProposal.Kind.CHANGED)
    district = world["hsu"]["district"]
    for user in (province_user, other_province_user):
        client.force_login(user)
        assert client.get(reverse("kernel:satusehat"), {"district": district.pk}).status_code == 403
        response = client.post(reverse("kernel:satusehat-accept", args=[proposal.pk]))
        assert response.status_code in (403, 404)
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_planner_cannot_import_into_another_district(world, district_user, run_import, hsu_file):
    # A planner's own district, whatever the params say.
    job = run_import(
        Kind.SATUSEHAT_FACILITIES,
        hsu_file,
        district_user,
        params={"district": world["banjarmasin"]["district"].pk},
    )
    assert job.district == world["hsu"]["district"]


def test_puskesmas_head_cannot_import(puskesmas_head, hsu_file):
    from django.core.exceptions import PermissionDenied
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kernel.imports.runner import import_start

    with pytest.raises(PermissionDenied):
        import_start(
            kind=Kind.SATUSEHAT_FACILITIES,
            upload=SimpleUploadedFile("f.json", b"{}"),
            user=puskesmas_head,
        )


def test_admin_imports_for_a_chosen_district_through_the_page(
    client, world, admin_user, hsu_file, post_import
):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_user)
    district = world["hsu"]["district"]
    upload = SimpleUploadedFile("f.json", json.dumps(hsu_file).encode())
    response, job = post_import(
        reverse("kernel:satusehat-import"), {"district": district.pk, "file": upload}
    )
    assert job is not None and job.status == "done", job and job.errors
    assert FacilityProposal.objects.filter(job=job, district=district).count() == 2
    page = client.get(reverse("kernel:importjob-detail", args=[job.pk]))
    assert b"Klinik Sehat" in page.content


def test_the_sample_downloads(client, district_user):
    client.force_login(district_user)
    response = client.get(reverse("kernel:satusehat-sample"))
    assert response.status_code == 200
    assert b"Puskesmas Hambuku Raya" in b"".join(response.streaming_content)


def test_the_proposals_page_queries_do_not_grow(
    client, world, district_user, staged, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(district_user)
    url = reverse("kernel:satusehat")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(20):
        FacilityProposal.objects.create(
            district=world["hsu"]["district"],
            job=staged,
            satusehat_code=f"20000000{n:02d}",
            name=f"Puskesmas {n}",
            kind=FacilityProposal.Kind.CHANGED,
            puskesmas=world["hsu"]["puskesmas"],
            decided_by=district_user,
            changes=[{"field": "name", "old": "a", "new": "b"}],
        )
    with django_assert_num_queries(len(few)):
        client.get(url)


def test_a_later_import_supersedes_waiting_proposals(world, district_user, run_import, staged):
    decided = _proposal(staged, FacilityProposal.Kind.NEW)
    from kernel.satusehat.facilities import proposal_reject

    proposal_reject(proposal=decided, by=district_user)
    data = {"data": [facility("1000000005", "Puskesmas Lain")]}
    run_import(Kind.SATUSEHAT_FACILITIES, data, district_user)
    assert _proposal(staged, FacilityProposal.Kind.CHANGED).status == "superseded"
    decided.refresh_from_db()
    assert decided.status == "rejected"  # a decision stays

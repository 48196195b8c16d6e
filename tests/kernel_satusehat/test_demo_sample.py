"""Done when (#19): the SATUSEHAT facility file import matches the demo puskesmas."""

import json

import pytest

from kernel.models import District, FacilityProposal, ImportJob, Puskesmas, User
from kernel.satusehat import SAMPLE_DIR
from kernel.satusehat.facilities import proposals_accept_all
from kernel.services.demo import demo_seed

pytestmark = pytest.mark.django_db
Kind = ImportJob.Kind


@pytest.fixture
def demo(spm_catalogue):
    demo_seed(password="x-demo-pass-1")
    hsu = District.objects.get(code="63.08")
    planner = User.objects.filter(role=User.Role.DISTRICT_PLANNER, district=hsu).first()
    return hsu, planner


def test_the_sample_matches_every_demo_puskesmas_proposes_one_new_shows_one_change(
    demo, run_import
):
    hsu, planner = demo
    data = (SAMPLE_DIR / "facilities-demo.json").read_bytes()
    job = run_import(Kind.SATUSEHAT_FACILITIES, data, planner)
    assert job.status == ImportJob.Status.DONE, job.errors
    proposals = FacilityProposal.objects.filter(job=job)
    demo_puskesmas = set(Puskesmas.objects.filter(district=hsu).values_list("pk", flat=True))
    assert len(demo_puskesmas) == 12
    matched = set(proposals.exclude(puskesmas=None).values_list("puskesmas", flat=True))
    assert matched == demo_puskesmas
    new = proposals.filter(kind=FacilityProposal.Kind.NEW)
    assert [p.name for p in new] == ["Puskesmas Hambuku Raya"]
    renamed = [p for p in proposals if any(c["field"] == "name" for c in p.changes)]
    assert len(renamed) == 1
    change = next(c for c in renamed[0].changes if c["field"] == "name")
    assert (change["old"], change["new"]) == (
        "Puskesmas Amuntai Tengah",
        "UPT Puskesmas Amuntai Tengah",
    )
    assert [row["name"] for row in job.result["skipped"]] == ["Klinik Pratama Amuntai Sehat"]
    # Nothing applied before acceptance.
    assert not Puskesmas.objects.filter(district=hsu).exclude(satusehat_code="").exists()
    assert Puskesmas.objects.filter(district=hsu).count() == 12

    done, refused = proposals_accept_all(district=hsu, by=planner)
    assert (done, refused) == (13, [])
    assert Puskesmas.objects.filter(district=hsu).count() == 13
    created = Puskesmas.objects.get(code="P63080202")
    assert created.subdistrict.code == "63.08.02" and created.satusehat_code
    assert Puskesmas.objects.get(code="P63080501").name == "UPT Puskesmas Amuntai Tengah"
    assert Puskesmas.objects.filter(district=hsu, satusehat_code="").count() == 0

    # Imported again: everything is the same, nothing waits.
    again = run_import(Kind.SATUSEHAT_FACILITIES, data, planner)
    kinds = set(FacilityProposal.objects.filter(job=again).values_list("kind", flat=True))
    assert kinds == {FacilityProposal.Kind.SAME}
    assert json.loads(data)["data"]  # the sample stays in the endpoint's wrapped shape

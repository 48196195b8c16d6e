"""`make run` seeds the demo every time it starts: a second seed edits what the first made, at
the versions it reads, and never trips over its own earlier saves (issue #12). The demo shows
everything a user may try (issue #15, item 7): a head of its own for every puskesmas, who signs
its plans; phone numbers for users and invitees; photos of meetings; two districts of the
province with approved targets and a year of approved months; the provincial services."""

import io
import time

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from PIL import Image

from indicators.models import MonthlyReport, SPMService, TargetApproval
from indicators.services.targets import targets_missing_count
from kernel.models import (
    District,
    HealthOfficeUnit,
    PartnerOrganisation,
    Puskesmas,
    ServicePoint,
    User,
)
from kernel.services.demo import DEMO_USERS, demo_phone, demo_seed
from planning.models import Plan
from workshops.documents import whatsapp_phone
from workshops.models import Meeting, Participant, Photo

pytestmark = pytest.mark.django_db

PASSWORD = "demo-test-2026"


def test_the_organisation_demo_seeds_twice_and_changes_nothing_the_second_time(spm_catalogue):
    demo_seed(password=PASSWORD)
    models = (Puskesmas, ServicePoint, PartnerOrganisation, HealthOfficeUnit, User)
    counts = [model.objects.count() for model in models]
    demo_seed(password=PASSWORD)
    assert [model.objects.count() for model in models] == counts
    assert counts[0] > 0 and counts[1] > 0


def test_every_puskesmas_has_a_head_of_its_own_with_a_name_and_a_phone(spm_catalogue):
    demo_seed(password=PASSWORD)
    heads = User.objects.filter(role=User.Role.PUSKESMAS_HEAD)
    puskesmas = Puskesmas.objects.all()
    assert heads.count() == puskesmas.count() > 20
    assert set(heads.values_list("puskesmas", flat=True)) == set(
        puskesmas.values_list("pk", flat=True)
    )
    names = {(head.first_name, head.last_name) for head in heads}
    assert len(names) == heads.count()  # a distinct person each, not one "Kepala"
    assert "Kepala" not in {first for first, _last in names}
    signers = list(puskesmas.values_list("head_name", flat=True))
    assert len(set(signers)) == len(signers) and all(signers)
    for head in heads.select_related("puskesmas"):
        assert head.first_name in head.puskesmas.head_name  # the user is the one who signs
        assert head.check_password(PASSWORD)


def test_demo_users_have_fictitious_mobile_numbers_whatsapp_accepts(spm_catalogue):
    demo_seed(password=PASSWORD)
    phones = list(User.objects.values_list("phone", flat=True))
    assert phones and all(phones)
    for phone in phones:
        digits = whatsapp_phone(phone)
        assert digits is not None and digits.startswith("628"), phone
        assert "0000" in phone  # the made-up block
    assert demo_phone(7) == demo_phone(7) != demo_phone(8)
    assert {phone[:3] for phone in phones} >= {"081", "+62"}  # both ways of writing them


@pytest.fixture
def whole_demo(spm_catalogue, settings, tmp_path):
    """Every seeder, as `manage.py seed_demo` runs them, into a media folder of its own."""
    settings.MEDIA_ROOT = tmp_path

    def seed() -> float:
        started = time.perf_counter()
        demo_seed(password=PASSWORD)
        for path in django_settings.SIMPUL_DEMO_SEEDERS:
            import_string(path)()
        return time.perf_counter() - started

    return seed


def _snapshot() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "reports": MonthlyReport.objects.count(),
        "photos": Photo.objects.count(),
        "participants": Participant.objects.count(),
        "plans": Plan.objects.count(),
        "meetings": Meeting.objects.count(),
    }


def test_the_whole_demo_shows_everything_and_a_second_seed_adds_nothing(whole_demo, client):
    first = whole_demo()
    print(f"whole demo: {first:.1f} s")  # a figure, not an assert
    counts = _snapshot()
    second = whole_demo()
    print(f"again: {second:.1f} s")
    assert _snapshot() == counts

    today = timezone.localdate()
    months = set(range(1, today.month))  # every month that has ended this year
    province = District.objects.get(code="63.08").province

    # Two districts of the province, each with its year's targets approved and complete.
    districts = list(District.objects.filter(province=province, puskesmas__isnull=False).distinct())
    assert len(districts) == 2
    for district in districts:
        assert TargetApproval.objects.get(district=district, year=today.year).is_approved
        assert targets_missing_count(district=district, year=today.year) == 0

    # The second district: every puskesmas, every month ended, approved (or approved and locked).
    banjarmasin = District.objects.get(code="63.71")
    reports = MonthlyReport.objects.filter(puskesmas__district=banjarmasin, year=today.year)
    finished = {MonthlyReport.Status.APPROVED, MonthlyReport.Status.LOCKED}
    assert set(reports.values_list("status", flat=True)) <= finished
    for puskesmas in banjarmasin.puskesmas.all():
        assert set(reports.filter(puskesmas=puskesmas).values_list("month", flat=True)) == months
    if months:
        assert reports.first().values.filter(value__gt=0).exists()
        # Nothing happened in the future: submitted, approved and locked by now.
        assert not reports.filter(decided_at__gt=timezone.now()).exists()
        assert not reports.filter(submitted_at__gt=timezone.now()).exists()

    # The province compares its two districts.
    client.force_login(User.objects.get(username="prov.kalsel"))
    page = client.get(reverse("indicators:dashboard")).content.decode()
    assert "Hulu Sungai Utara" in page and "Kota Banjarmasin" in page

    # Plans are signed by their own puskesmas's head.
    ruks = Plan.objects.filter(puskesmas__isnull=False).select_related("puskesmas")
    assert ruks.count() >= 12
    for plan in ruks:
        head = User.objects.get(puskesmas=plan.puskesmas, role=User.Role.PUSKESMAS_HEAD)
        assert plan.created_by == head
        assert plan.submitted_by in (None, head)
    signed = ruks.exclude(status=Plan.Status.DRAFT).first()
    client.force_login(User.objects.get(puskesmas=signed.puskesmas, role=User.Role.PUSKESMAS_HEAD))
    page = client.get(reverse("planning:plan-detail", args=[signed.pk])).content.decode()
    assert signed.puskesmas.head_name in page
    assert len({plan.puskesmas.head_name for plan in ruks}) == len({p.puskesmas_id for p in ruks})

    # Invitees have mobile numbers: the invitation offers a WhatsApp link per person.
    quarterly = Meeting.objects.exclude(signed_agreement="").get()
    people = quarterly.participants.all()
    with_phone = [p for p in people if whatsapp_phone(p.phone)]
    assert len(with_phone) >= 0.75 * len(people) and len(with_phone) < len(people)
    client.force_login(User.objects.get(username="kapus.danaupanggang"))
    page = client.get(reverse("workshops:meeting-invitation", args=[quarterly.pk]))
    assert page.content.decode().count("https://wa.me/628") >= len(with_phone)

    # Photos: stored through the upload service, readable, with thumbnails, served to the head.
    photos = Photo.objects.filter(meeting=quarterly)
    assert photos.count() >= 3
    assert Photo.objects.exclude(meeting=quarterly).exists()  # the forum and last quarter too
    for photo in photos:
        with photo.image.open("rb") as file:
            image = Image.open(io.BytesIO(file.read()))
            image.load()
        assert image.format == "JPEG" and image.size == (photo.width, photo.height)
        assert not image.getexif()  # metadata dropped, as for an upload
        assert photo.thumbnail.storage.exists(photo.thumbnail.name) and photo.caption
    served = client.get(reverse("workshops:photo-file", args=[photos.first().pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"

    # The catalogue page lists the provincial services too.
    page = client.get(reverse("indicators:estimaterule-list")).content.decode()
    provincial = SPMService.objects.filter(
        edition__years__year=today.year, level=SPMService.Level.PROVINCE
    )
    assert provincial.count() == 2
    for service in provincial:
        assert service.label in page or service.name_id in page

    # The printed logins stay one per role (and a few); the other heads exist quietly.
    assert len(DEMO_USERS) == 11  # issue #18 added the planning mentor

"""Cadres (issue #17, must-have 3): the register, skill assessments giving badges and levels
from the LATEST result per skill (rules as data), training attendance, the pages (scoped: an
outsider gets 404), the Excel import (all rows or none, errors located) and hostile values."""

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community.importers_cadres import CADRE_SHEET, CADRE_SPEC
from community.models import (
    Cadre,
    CadreLevel,
    LevelRule,
    Skill,
    SkillAssessment,
    SkillGroup,
    SkillSet,
    TrainingAttendance,
)
from community.services import cadres as services
from kernel.spreadsheets import build_workbook
from tests.conftest import errors_of
from tests.factories import MeetingFactory

from .factories import CadreFactory, PosyanduFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _skills(group=None):
    skills = SkillSet.for_year(TODAY.year).skills.order_by("number")
    return list(skills.filter(group=group) if group else skills)


def _marks(skills, result="competent"):
    return {skill.pk: result for skill in skills}


@pytest.fixture
def posyandu(world):
    return PosyanduFactory(
        puskesmas=world["hsu"]["puskesmas"], village=world["hsu"]["villages"][0], name="Mawar"
    )


@pytest.fixture
def cadre(posyandu):
    return CadreFactory(service_point=posyandu, name="Siti Aminah")


@pytest.fixture
def other_cadre(world):
    point = PosyanduFactory(puskesmas=world["banjarmasin"]["puskesmas"], name="Melati")
    return CadreFactory(service_point=point, name="Rusmini")


# --- Standing from the assessments --------------------------------------------------------------


def test_levels_and_badges_follow_the_latest_result_per_skill(cadre, puskesmas_head):
    earlier = TODAY - datetime.timedelta(days=30)
    management = _skills(SkillGroup.MANAGEMENT)
    outcome = services.assessments_record(
        cadre=cadre, assessed_on=earlier, marks=_marks(management), by=puskesmas_head
    )
    cadre.refresh_from_db()
    assert outcome.saved == 5
    assert (cadre.level, cadre.skills_competent) == (CadreLevel.PURWA, 5)
    assert cadre.badges == [SkillGroup.MANAGEMENT]
    assert cadre.last_assessed_on == earlier and cadre.skill_set == SkillSet.for_year(TODAY.year)
    assert SkillAssessment.objects.filter(cadre=cadre, assessor=puskesmas_head).count() == 5

    # A later "not yet" of one skill takes the badge and the level away; the earlier stays.
    services.assessment_record(
        cadre=cadre,
        skill_id=management[0].pk,
        assessed_on=TODAY,
        result="not_yet",
        by=puskesmas_head,
    )
    cadre.refresh_from_db()
    assert (cadre.level, cadre.skills_competent, cadre.badges) == ("", 4, [])
    assert cadre.last_assessed_on == TODAY
    assert SkillAssessment.objects.filter(cadre=cadre).count() == 6

    # Marked again the same day: that day's result is replaced, not added.
    three_groups = [
        *_skills(SkillGroup.MANAGEMENT),
        *_skills(SkillGroup.PREGNANCY),
        *_skills(SkillGroup.ADULTS),
    ]
    services.assessments_record(
        cadre=cadre, assessed_on=TODAY, marks=_marks(three_groups), by=puskesmas_head
    )
    cadre.refresh_from_db()
    assert (cadre.level, cadre.skills_competent, len(cadre.badges)) == (CadreLevel.MADYA, 15, 3)
    assert SkillAssessment.objects.filter(cadre=cadre).count() == 20

    services.assessments_record(
        cadre=cadre, assessed_on=TODAY, marks=_marks(_skills()), by=puskesmas_head
    )
    cadre.refresh_from_db()
    assert (cadre.level, cadre.skills_competent) == (CadreLevel.UTAMA, 25)
    assert cadre.badges == list(SkillGroup.values)
    assert cadre.version == 1  # the computed standing is not an edit of the cadre


def test_an_older_assessment_entered_late_does_not_override_a_newer_one(cadre, puskesmas_head):
    skill = _skills(SkillGroup.MANAGEMENT)[0]
    services.assessment_record(
        cadre=cadre, skill_id=skill.pk, assessed_on=TODAY, result="not_yet", by=puskesmas_head
    )
    services.assessment_record(
        cadre=cadre,
        skill_id=skill.pk,
        assessed_on=TODAY - datetime.timedelta(days=60),
        result="competent",
        by=puskesmas_head,
    )
    cadre.refresh_from_db()
    assert cadre.skills_competent == 0 and cadre.last_assessed_on == TODAY


def test_the_level_rules_are_data(cadre, puskesmas_head):
    LevelRule.objects.filter(skill_set=SkillSet.for_year(TODAY.year), level="purwa").update(
        min_skills=3, min_badges=0
    )
    services.assessments_record(
        cadre=cadre, assessed_on=TODAY, marks=_marks(_skills()[:3]), by=puskesmas_head
    )
    cadre.refresh_from_db()
    assert cadre.level == CadreLevel.PURWA and cadre.badges == []


def test_a_future_date_and_another_sets_skill_are_refused(cadre, puskesmas_head):
    skill = _skills()[0]
    with pytest.raises(ValidationError):
        services.assessment_record(
            cadre=cadre,
            skill_id=skill.pk,
            assessed_on=TODAY + datetime.timedelta(days=1),
            result="competent",
            by=puskesmas_head,
        )
    old_set = SkillSet.objects.create(name="Lama", valid_from=2005)
    old_skill = Skill.objects.create(
        skill_set=old_set, group=SkillGroup.MANAGEMENT, number=1, name_id="Lama", name_en="Old"
    )
    with pytest.raises(ValidationError):
        services.assessment_record(
            cadre=cadre,
            skill_id=old_skill.pk,
            assessed_on=TODAY,
            result="competent",
            by=puskesmas_head,
        )
    # ... and the set of an assessment's year is the one that counts.
    with pytest.raises(ValidationError):
        services.assessment_record(
            cadre=cadre,
            skill_id=skill.pk,
            assessed_on=datetime.date(2008, 5, 1),
            result="competent",
            by=puskesmas_head,
        )
    assert not SkillAssessment.objects.filter(cadre=cadre).exists()


@pytest.mark.parametrize(
    ("marks", "day"),
    [
        ({}, TODAY),
        ({"abc": "competent"}, TODAY),
        ({"99999999": "competent"}, TODAY),
        ({None: "competent"}, TODAY),
        ("SKILL", "2026-13-45"),
        ("SKILL-MAYBE", TODAY),
        ("SKILL", "\x00"),
        ("SKILL", "1899-01-01"),
    ],
)
def test_hostile_assessments_are_refused(cadre, puskesmas_head, marks, day):
    skill = _skills()[0]
    if marks == "SKILL":
        marks = {skill.pk: "competent"}
    elif marks == "SKILL-MAYBE":
        marks = {skill.pk: "maybe\x00"}
    with pytest.raises(ValidationError):
        services.assessments_record(cadre=cadre, assessed_on=day, marks=marks, by=puskesmas_head)
    assert not SkillAssessment.objects.exists()


def test_only_the_puskesmas_and_its_district_assess(
    cadre, other_cadre, puskesmas_head, district_user, province_user, other_district_user
):
    marks = _marks(_skills()[:1])
    for outsider in (province_user, other_district_user):
        with pytest.raises(PermissionDenied):
            services.assessments_record(cadre=cadre, assessed_on=TODAY, marks=marks, by=outsider)
    with pytest.raises(PermissionDenied):
        services.assessments_record(
            cadre=other_cadre, assessed_on=TODAY, marks=marks, by=puskesmas_head
        )
    services.assessments_record(cadre=cadre, assessed_on=TODAY, marks=marks, by=district_user)
    assert SkillAssessment.objects.get().assessor == district_user


# --- The register -------------------------------------------------------------------------------


def test_a_cadre_is_created_once_edited_versioned_and_deactivated(client, posyandu, puskesmas_head):
    client.force_login(puskesmas_head)
    url = reverse("community:cadre-create", args=[posyandu.pk])
    form = client.get(url).context["form"]
    data = {
        "name": "  Hj. Masitah ",
        "sex": "F",
        "birth_year": "1979",
        "phone": "0812-5100-2233",
        "since_year": "2004",
        "is_trained": "on",
        "is_active": "on",
        "form_token": str(form.initial["form_token"]),
    }
    assert client.post(url, {**data, "name": "Hj.\x00Masitah"}).status_code == 400  # NUL byte
    first = client.post(url, data)
    assert first.status_code == 302, first.context["form"].errors
    again = client.post(url, data)  # a double tap
    cadre = Cadre.objects.get()
    assert first.status_code == again.status_code == 302
    assert first.url == again.url == reverse("community:cadre-detail", args=[cadre.pk])
    assert (cadre.name, cadre.puskesmas, cadre.version) == ("Hj. Masitah", posyandu.puskesmas, 1)
    assert client.get(first.url).status_code == 200

    edit = reverse("community:cadre-edit", args=[cadre.pk])
    data.update(version="1", phone="0812")
    assert client.post(edit, data).status_code == 302
    stale = client.post(edit, {**data, "phone": "0813"})  # still at version 1
    assert stale.status_code == 200 and stale.context["form"].stale is not None
    cadre.refresh_from_db()
    assert (cadre.phone, cadre.version) == ("0812", 2)

    client.post(edit, {"deactivate": "1", "version": "2"})
    cadre.refresh_from_db()
    assert cadre.is_active is False and cadre.version == 3


@pytest.mark.parametrize(
    ("field", "value"),
    [("birth_year", "-5"), ("birth_year", "1e9"), ("since_year", "3000"), ("name", "")],
)
def test_hostile_cadre_values_are_refused(client, posyandu, puskesmas_head, field, value):
    client.force_login(puskesmas_head)
    data = {"name": "Nor Aida", "sex": "F", "birth_year": "1990", "is_active": "on"}
    data[field] = value
    answer = client.post(reverse("community:cadre-create", args=[posyandu.pk]), data)
    assert answer.status_code == 200 and answer.context["form"].errors
    assert not Cadre.objects.exists()


def test_a_posyandu_of_another_area_or_another_kind_gets_no_cadre(
    client, world, puskesmas_head, other_cadre
):
    client.force_login(puskesmas_head)
    url = reverse("community:cadre-create", args=[other_cadre.service_point_id])
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "x"}).status_code == 404
    not_posyandu = world["hsu"]["service_point"]
    if not_posyandu.kind != "posyandu":
        answer = client.get(reverse("community:cadre-create", args=[not_posyandu.pk]))
        assert answer.status_code == 404


# --- Pages --------------------------------------------------------------------------------------


def test_the_assess_page_saves_the_marked_skills_and_shows_the_level(client, cadre, puskesmas_head):
    client.force_login(puskesmas_head)
    url = reverse("community:cadre-assess", args=[cadre.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.content.count(b'class="btn-check"') == 50
    data = {"assessed_on": TODAY.isoformat(), "note": "Sesi Juni"}
    data |= {f"skill-{s.pk}": "competent" for s in _skills(SkillGroup.PREGNANCY)}
    data[f"skill-{_skills(SkillGroup.ADULTS)[0].pk}"] = "not_yet"
    answer = client.post(url, data)
    assert answer.status_code == 302
    shown = client.get(answer.url)
    assert b'data-level="purwa"' in shown.content
    assert shown.content.count(b'data-testid="cadre-badge"') == 1
    cadre.refresh_from_db()
    assert (cadre.level, cadre.skills_competent) == ("purwa", 5)
    # A future date: refused, marks kept on the page, nothing saved.
    future = client.post(
        url, {**data, "assessed_on": (TODAY + datetime.timedelta(days=3)).isoformat()}
    )
    assert future.status_code == 400 and b"checked" in future.content
    assert SkillAssessment.objects.count() == 6


def test_pages_are_scoped_and_the_province_reads_only(
    client, cadre, other_cadre, district_user, province_user, other_district_user
):
    client.force_login(other_district_user)
    for name in ("cadre-detail", "cadre-edit", "cadre-assess"):
        assert client.get(reverse(f"community:{name}", args=[cadre.pk])).status_code == 404
    assert cadre.name.encode() not in client.get(reverse("community:cadre-list")).content
    client.force_login(district_user)
    listed = client.get(reverse("community:cadre-list"))
    assert cadre.name.encode() in listed.content and b"Rusmini" not in listed.content
    assert client.get(reverse("community:cadre-assess", args=[cadre.pk])).status_code == 200
    client.force_login(province_user)
    assert client.get(reverse("community:cadre-detail", args=[cadre.pk])).status_code == 200
    assert client.get(reverse("community:cadre-assess", args=[cadre.pk])).status_code == 403
    assert client.get(reverse("community:cadre-edit", args=[cadre.pk])).status_code == 403
    listed = client.get(reverse("community:cadre-list"))
    assert cadre.name.encode() in listed.content and b"Rusmini" in listed.content


def test_the_list_filters_and_exports(client, cadre, posyandu, puskesmas_head):
    other = CadreFactory(service_point=posyandu, name="Nur Hayati")
    services.assessments_record(
        cadre=cadre,
        assessed_on=TODAY,
        marks=_marks(_skills(SkillGroup.INFANTS)),
        by=puskesmas_head,
    )
    client.force_login(puskesmas_head)
    url = reverse("community:cadre-list")
    for params, names in (
        ({"level": "purwa"}, {cadre.name}),
        ({"level": "none"}, {other.name}),
        ({"assessed": "no"}, {other.name}),
        ({"assessed": "yes", "posyandu": posyandu.pk}, {cadre.name}),
        ({"level": "bogus", "posyandu": "abc", "assessed": "1e9"}, {cadre.name, other.name}),
    ):
        shown = {row.name for row in client.get(url, params).context["page_obj"].object_list}
        assert shown == names, params
    assert client.get(url, {"level": "\x00", "posyandu": "-1"}).status_code < 500
    export = client.get(url, {"format": "xlsx", "level": "purwa"})
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == cadre.name and rows[1][3] == 7


def test_the_list_query_count_does_not_grow(client, world, district_user):
    client.force_login(district_user)
    url = reverse("community:cadre-list")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    for _index in range(2):
        CadreFactory(service_point=PosyanduFactory(puskesmas=world["hsu"]["puskesmas"]))
    few = count()
    for _index in range(10):
        point = PosyanduFactory(puskesmas=world["hsu"]["puskesmas"])
        CadreFactory.create_batch(2, service_point=point)
    assert count() == few


def test_training_attendance(client, world, cadre, posyandu, puskesmas_head, other_cadre):
    training = MeetingFactory(
        puskesmas=world["hsu"]["puskesmas"],
        format="training",
        created_by=puskesmas_head,
        title="Bimtek 25 keterampilan dasar kader",
    )
    second = CadreFactory(service_point=posyandu, name="Jumiati")
    client.force_login(puskesmas_head)
    url = reverse("community:training-cadres", args=[training.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"Rusmini" not in page.content
    client.post(url, {"shown": [cadre.pk, second.pk], "attended": [cadre.pk]})
    assert dict(TrainingAttendance.objects.values_list("cadre_id", "attended")) == {cadre.pk: True}
    client.post(url, {"shown": [cadre.pk, second.pk], "attended": [second.pk]})
    assert dict(TrainingAttendance.objects.values_list("cadre_id", "attended")) == {
        cadre.pk: False,
        second.pk: True,
    }
    # Another area's cadre, a non-training meeting: refused.
    client.post(url, {"shown": [other_cadre.pk], "attended": [other_cadre.pk]})
    assert not TrainingAttendance.objects.filter(cadre=other_cadre).exists()
    lokmin = MeetingFactory(puskesmas=world["hsu"]["puskesmas"], created_by=puskesmas_head)
    assert client.get(reverse("community:training-cadres", args=[lokmin.pk])).status_code == 404
    with pytest.raises(ValidationError):
        services.training_attendance_save(
            meeting=lokmin, shown=[cadre.pk], attended=[cadre.pk], by=puskesmas_head
        )


# --- Import -------------------------------------------------------------------------------------


def _file(rows) -> SimpleUploadedFile:
    content = build_workbook(sheet=str(CADRE_SHEET), headers=CADRE_SPEC.headings(), rows=rows)
    return SimpleUploadedFile("kader.xlsx", content)


def test_import_adds_and_updates_cadres(client, cadre, posyandu, puskesmas_head, post_import):
    client.force_login(puskesmas_head)
    template = client.get(reverse("community:cadre-template"))
    sheet = openpyxl.load_workbook(io.BytesIO(template.content)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == [cadre.name]
    rows = [
        ["MAWAR", cadre.name, "P", 1985, "0813", 2010, "Ya", "Ya"],
        ["Mawar", "Rabiatul Adawiyah", "Perempuan", 1992, "", "", "Tidak", ""],
        ["Mawar", "Ahmad Yani", "M", None, None, 2020, "ya", "tidak"],
    ]
    answer, job = post_import(reverse("community:cadre-import"), {"file": _file(rows)})
    assert job is not None and job.status == "done", errors_of(answer, job)
    cadre.refresh_from_db()
    assert (cadre.phone, cadre.since_year, cadre.is_trained, cadre.version) == (
        "0813",
        2010,
        True,
        2,
    )
    assert Cadre.objects.count() == 3
    yani = Cadre.objects.get(name="Ahmad Yani")
    assert (yani.sex, yani.is_active, yani.puskesmas_id) == ("M", False, posyandu.puskesmas_id)


def test_a_bad_import_saves_nothing_and_locates_every_problem(
    client, cadre, other_cadre, puskesmas_head, post_import
):
    client.force_login(puskesmas_head)
    rows = [
        ["Mawar", "Good Row", "F", 1990, "", "", "", ""],
        ["Melati", "Other Area Posyandu", "F", 1990, "", "", "", ""],  # row 3: not ours
        ["Mawar", "Bad Year", "F", -5, "", 3000, "", ""],  # row 4
        ["Mawar", "", "X", 1990, "", "", "mungkin", ""],  # row 5
        ["Mawar", "Good Row", "F", 1990, "", "", "", ""],  # row 6: twice
    ]
    answer, job = post_import(reverse("community:cadre-import"), {"file": _file(rows)})
    errors = errors_of(answer, job)
    assert job.status == "failed"
    text = "\n".join(errors)
    for place in ("3", "4", "5", "6"):
        assert place in text
    assert any("A3" in e or ("3" in e and "A" in e) for e in errors)
    assert Cadre.objects.filter(puskesmas=cadre.puskesmas).count() == 1


def test_a_district_imports_for_a_puskesmas_it_chooses_only_in_its_area(
    client, world, posyandu, district_user, other_district_user, post_import
):
    client.force_login(district_user)
    url = reverse("community:cadre-import") + f"?puskesmas={world['hsu']['puskesmas'].pk}"
    rows = [["Mawar", "Salmah", "F", 1970, "", "", "", ""]]
    answer, job = post_import(url, {"file": _file(rows)})
    assert job.status == "done", errors_of(answer, job)
    client.force_login(other_district_user)
    assert client.get(url).status_code == 404
    assert (
        client.get(
            reverse("community:cadre-template") + f"?puskesmas={world['hsu']['puskesmas'].pk}"
        ).status_code
        == 404
    )


# --- Demo ---------------------------------------------------------------------------------------


def test_the_demo_gives_cadres_and_every_level_once(world, puskesmas_head):
    from community.services import demo_cadres

    for name in ("Posyandu Anggrek", "Posyandu Bougenville"):
        PosyanduFactory(puskesmas=world["hsu"]["puskesmas"], name=name)
    demo_cadres.seed()
    demo_cadres.seed()  # idempotent
    cadres = Cadre.objects.filter(puskesmas=world["hsu"]["puskesmas"])
    per_posyandu = {}
    for cadre in cadres:
        per_posyandu[cadre.service_point_id] = per_posyandu.get(cadre.service_point_id, 0) + 1
    assert all(5 <= count <= 8 for count in per_posyandu.values())
    assert len(per_posyandu) >= 2
    levels = sorted(c.level for c in cadres if c.level)
    assert levels == ["madya", "purwa", "purwa", "utama"]
    assert cadres.filter(last_assessed_on__isnull=True).count() >= 5
    assert cadres.filter(sex="F").count() > cadres.count() / 2

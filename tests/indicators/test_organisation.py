import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from kernel.models import PartnerOrganisation, Puskesmas, ServicePoint, Village

from ..factories import PuskesmasFactory, ServicePointFactory, VillageFactory

pytestmark = pytest.mark.django_db


def test_district_planner_edits_puskesmas_and_its_working_area(client, world, district_user):
    hsu = world["hsu"]
    extra = VillageFactory(subdistrict=hsu["subdistrict"])
    client.force_login(district_user)
    url = reverse("kernel:puskesmas-edit", kwargs={"pk": hsu["puskesmas"].pk})
    response = client.post(
        url,
        {
            "code": "P6308010101",
            "name": "Puskesmas Danau Panggang",
            "subdistrict": hsu["subdistrict"].pk,
            "is_inpatient": "on",
            "head_name": "dr. Siti",
            "villages": [hsu["villages"][0].pk, extra.pk],
            "version": hsu["puskesmas"].version,
        },
    )
    assert response.status_code == 302
    puskesmas = Puskesmas.objects.get(pk=hsu["puskesmas"].pk)
    assert puskesmas.name == "Puskesmas Danau Panggang" and puskesmas.is_inpatient
    assert set(puskesmas.villages.all()) == {hsu["villages"][0], extra}
    assert Village.objects.get(pk=hsu["villages"][1].pk).puskesmas is None
    assert puskesmas.history.first().history_user == district_user


def test_working_area_cannot_take_a_village_of_another_district(client, world, district_user):
    hsu, other = world["hsu"], world["banjarmasin"]
    client.force_login(district_user)
    url = reverse("kernel:puskesmas-edit", kwargs={"pk": hsu["puskesmas"].pk})
    response = client.post(
        url,
        {
            "code": hsu["puskesmas"].code,
            "name": "X",
            "subdistrict": hsu["subdistrict"].pk,
            "villages": [other["villages"][0].pk],
        },
    )
    assert response.status_code == 200  # the form comes back with the error on the field
    assert "villages" in response.context["form"].errors
    assert Village.objects.get(pk=other["villages"][0].pk).puskesmas == other["puskesmas"]


def test_puskesmas_head_edits_own_details_but_not_code_or_area(client, world, puskesmas_head):
    puskesmas = world["hsu"]["puskesmas"]
    client.force_login(puskesmas_head)
    url = reverse("kernel:puskesmas-edit", kwargs={"pk": puskesmas.pk})
    response = client.post(
        url,
        {
            "code": "HACKED",
            "name": puskesmas.name,
            "phone": "0527-61234",
            "head_name": "dr. A",
            "version": puskesmas.version,
        },
    )
    assert response.status_code == 302
    puskesmas.refresh_from_db()
    assert puskesmas.phone == "0527-61234" and puskesmas.code != "HACKED"


def test_puskesmas_staff_cannot_edit_puskesmas(client, world, puskesmas_staff):
    client.force_login(puskesmas_staff)
    url = reverse("kernel:puskesmas-edit", kwargs={"pk": world["hsu"]["puskesmas"].pk})
    assert client.get(url).status_code == 403


def test_province_reviewer_reads_but_cannot_add_partners(client, world, province_user):
    client.force_login(province_user)
    assert client.get(reverse("kernel:partner-list")).status_code == 200
    assert client.get(reverse("kernel:partner-create")).status_code == 403


def test_district_planner_adds_kecamatan_partner(client, world, district_user):
    client.force_login(district_user)
    response = client.post(
        reverse("kernel:partner-create"),
        {
            "name": "Polsek Danau Panggang",
            "sector": "police",
            "subdistrict": world["hsu"]["subdistrict"].pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    partner = PartnerOrganisation.objects.get(name="Polsek Danau Panggang")
    assert partner.district == world["hsu"]["district"]


def test_partner_cannot_sit_in_a_kecamatan_of_another_district(client, world, district_user):
    client.force_login(district_user)
    response = client.post(
        reverse("kernel:partner-create"),
        {"name": "Polsek X", "sector": "police", "subdistrict": world["bontang"]["subdistrict"].pk},
    )
    assert response.status_code == 200
    assert "subdistrict" in response.context["form"].errors
    assert not PartnerOrganisation.objects.filter(name="Polsek X").exists()


def test_puskesmas_head_adds_service_point_only_to_own_puskesmas(client, world, puskesmas_head):
    client.force_login(puskesmas_head)
    url = reverse("kernel:servicepoint-create")
    ok = client.post(
        url,
        {
            "puskesmas": world["hsu"]["puskesmas"].pk,
            "kind": "pustu",
            "name": "Pustu Sungai Namang",
            "village": world["hsu"]["villages"][1].pk,
            "is_active": "on",
        },
    )
    assert ok.status_code == 302
    refused = client.post(
        url,
        {"puskesmas": world["banjarmasin"]["puskesmas"].pk, "kind": "pustu", "name": "Pustu Y"},
    )
    assert refused.status_code == 200 and "puskesmas" in refused.context["form"].errors
    assert not ServicePoint.objects.filter(name="Pustu Y").exists()


def test_deleting_a_unit_with_units_under_it_is_refused(client, world, district_user):
    from ..factories import UnitFactory

    parent = world["hsu"]["unit"]
    UnitFactory(office=parent.office, parent=parent)
    client.force_login(district_user)
    response = client.post(reverse("kernel:unit-delete", kwargs={"pk": parent.pk}), follow=True)
    assert parent.__class__.objects.filter(pk=parent.pk).exists()
    assert any("first" in str(m) or "dulu" in str(m) for m in response.context["messages"])


@pytest.mark.parametrize(
    "name",
    [
        "kernel:puskesmas-list",
        "kernel:servicepoint-list",
        "kernel:region-list",
        "kernel:partner-list",
        "kernel:unit-list",
        "kernel:home",
    ],
)
def test_list_pages_queries_do_not_grow_with_data(
    client, world, district_user, name, django_assert_num_queries
):
    client.force_login(district_user)
    url = reverse(name)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(5):
        puskesmas = PuskesmasFactory(subdistrict=world["hsu"]["subdistrict"])
        VillageFactory.create_batch(2, subdistrict=world["hsu"]["subdistrict"], puskesmas=puskesmas)
        ServicePointFactory.create_batch(3, puskesmas=puskesmas)
    with django_assert_num_queries(len(few)):
        client.get(url)


def test_puskesmas_detail_queries_do_not_grow(
    client, world, district_user, django_assert_num_queries
):
    puskesmas = world["hsu"]["puskesmas"]
    client.force_login(district_user)
    url = reverse("kernel:puskesmas-detail", kwargs={"pk": puskesmas.pk})
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    VillageFactory.create_batch(5, subdistrict=world["hsu"]["subdistrict"], puskesmas=puskesmas)
    ServicePointFactory.create_batch(5, puskesmas=puskesmas)
    with django_assert_num_queries(len(few)):
        client.get(url)


def test_puskesmas_export_matches_the_scoped_list(client, world, district_user):
    client.force_login(district_user)
    response = client.get(reverse("kernel:puskesmas-list"), {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == [world["hsu"]["puskesmas"].name]  # the first column, as on screen


@pytest.mark.parametrize(
    "name",
    [
        "kernel:region-list",
        "kernel:servicepoint-list",
        "kernel:partner-list",
        "kernel:unit-list",
    ],
)
def test_every_list_exports_to_xlsx(client, world, district_user, name):
    client.force_login(district_user)
    response = client.get(reverse(name), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row >= 2


def test_pages_are_in_indonesian_by_default_and_english_on_request(client, world, district_user):
    client.force_login(district_user)
    assert 'lang="id"' in client.get(reverse("kernel:home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("kernel:home")).content.decode()
    assert 'lang="en"' in body and "My area" in body


def test_a_stale_edit_is_refused_with_who_saved_and_both_values(client, world, district_user):
    """Two planners open the same partner; the second save from the stale page is refused,
    shows the first one's value beside theirs, and a deliberate second save goes through."""
    from kernel.models import PartnerOrganisation

    from ..factories import UserFactory

    partner = world["hsu"]["partner"]
    colleague = UserFactory(
        username="rekan",
        role="district_planner",
        district=world["hsu"]["district"],
        first_name="Rina",
        last_name="Rekan",
    )
    url = reverse("kernel:partner-edit", kwargs={"pk": partner.pk})
    seen = partner.version
    data = {
        "name": partner.name,
        "short_name": "",
        "sector": partner.sector,
        "subdistrict": "",
        "contact_name": "",
        "phone": "",
        "is_active": "on",
    }
    client.force_login(colleague)
    assert client.post(url, {**data, "phone": "0811", "version": seen}).status_code == 302
    client.force_login(district_user)
    response = client.post(url, {**data, "phone": "0822", "version": seen})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="stale-edit"' in page and "Rina Rekan" in page
    assert "0811" in page and "0822" in page
    assert PartnerOrganisation.objects.get(pk=partner.pk).phone == "0811"
    again = response.context["form"].data["version"]
    assert client.post(url, {**data, "phone": "0822", "version": again}).status_code == 302
    partner.refresh_from_db()
    assert partner.phone == "0822" and partner.updated_by == district_user


def test_three_identical_posts_of_a_new_partner_create_one(client, world, district_user):
    """A double click, or a resend over a slow link, creates once; each post lands on the same
    page, none on an error."""
    from kernel.models import PartnerOrganisation

    client.force_login(district_user)
    url = reverse("kernel:partner-create")
    token = client.get(url).context["form"].initial["form_token"]
    data = {
        "name": "Kantor Camat Sungai Pandan",
        "sector": "subdistrict",
        "is_active": "on",
        "form_token": token,
        "version": "",
    }
    answers = [client.post(url, data) for _ in range(3)]
    assert [a.status_code for a in answers] == [302, 302, 302]
    assert len({a.url for a in answers}) == 1
    assert PartnerOrganisation.objects.filter(name="Kantor Camat Sungai Pandan").count() == 1

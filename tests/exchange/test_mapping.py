"""The DHIS2 mapping pages: scoped, edited by the district's planners with versions, and what
is unmapped listed (never guessed)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exchange.models import DataElementMapping, Dhis2Profile, OrgUnitMapping
from tests.factories import VillageFactory

from .conftest import MAPPED, uid

pytestmark = pytest.mark.django_db


def _url(name, world, key="hsu"):
    return reverse(f"exchange:{name}", args=[world[key]["district"].pk])


def test_planner_is_sent_to_their_district_mapping(client, world, district_user):
    client.force_login(district_user)
    response = client.get(reverse("exchange:dhis2-index"))
    assert response.status_code == 302
    assert response.url == _url("dhis2-district", world)


def test_mapping_page_lists_unmapped_services_and_desa(
    client, world, district_user, mapped, services
):
    extra = VillageFactory(
        subdistrict=world["hsu"]["subdistrict"], puskesmas=world["hsu"]["puskesmas"]
    )
    client.force_login(district_user)
    response = client.get(_url("dhis2-district", world))
    assert response.status_code == 200
    mapping = response.context["mapping"]
    assert [s.pk for s in mapping.unmapped_services] == [s.pk for s in services[MAPPED:]]
    assert mapping.unmapped_villages == [extra]
    html = response.content.decode()
    assert html.count('data-kind="service"') == len(services) - MAPPED
    assert html.count('data-kind="org-unit"') == 1
    assert extra.code in html


def test_a_district_without_a_profile_has_everything_unmapped(
    client, world, district_user, services
):
    client.force_login(district_user)
    mapping = client.get(_url("dhis2-district", world)).context["mapping"]
    assert len(mapping.unmapped_services) == len(services)
    assert len(mapping.unmapped_org_units) == 2


@pytest.mark.parametrize(
    "name",
    [
        "dhis2-district",
        "dhis2-profile",
        "dhis2-elements",
        "dhis2-org-units",
        "dhis2-export",
        "dhis2-import",
    ],
)
def test_another_districts_mapping_is_404(client, world, other_district_user, mapped, name):
    client.force_login(other_district_user)
    assert client.get(_url(name, world)).status_code == 404
    assert client.post(_url(name, world), {"version": 1}).status_code == 404


def test_province_reads_the_mapping_but_cannot_edit_it(client, world, province_user, mapped):
    client.force_login(province_user)
    assert client.get(_url("dhis2-district", world)).status_code == 200
    assert client.get(_url("dhis2-elements", world)).status_code == 403
    response = client.post(_url("dhis2-org-units", world), {"version": mapped.version})
    assert response.status_code == 403
    assert OrgUnitMapping.objects.count() == 3


def test_puskesmas_do_not_keep_the_mapping(client, world, puskesmas_head, mapped):
    client.force_login(puskesmas_head)
    assert client.get(_url("dhis2-district", world)).status_code == 403
    assert client.get(_url("dhis2-elements", world)).status_code == 403


def test_planner_creates_the_profile(client, world, district_user):
    client.force_login(district_user)
    response = client.post(
        _url("dhis2-profile", world),
        {
            "name": "DHIS2 Kalsel",
            "base_url": "",
            "level": "puskesmas",
            "data_set": "",
            "version": "",
        },
    )
    assert response.status_code == 302
    profile = Dhis2Profile.objects.get(district=world["hsu"]["district"])
    assert (profile.name, profile.level, profile.version) == ("DHIS2 Kalsel", "puskesmas", 1)


def test_planner_maps_services_and_an_empty_one_is_unmapped(
    client, world, district_user, mapped, services
):
    client.force_login(district_user)
    first, fourth = services[0], services[MAPPED]
    data = {"version": mapped.version, f"de_{fourth.pk}": "Abcdefghij1", f"coc_{fourth.pk}": ""}
    data[f"de_{first.pk}"] = ""  # unmapped now
    for service in services[1:MAPPED]:
        data[f"de_{service.pk}"] = DataElementMapping.objects.get(service=service).data_element
    response = client.post(_url("dhis2-elements", world), data)
    assert response.status_code == 302
    mapped_now = dict(DataElementMapping.objects.values_list("service_id", "data_element"))
    assert first.pk not in mapped_now
    assert mapped_now[fourth.pk] == "Abcdefghij1"
    mapped.refresh_from_db()
    assert mapped.version == 2


@pytest.mark.parametrize(
    "bad", ["1bcdefghij1", "abc", "Abcdefghij1x", "Abc-efghij1", "Abcdéfghij1"]
)
def test_a_malformed_data_element_is_refused(client, world, district_user, mapped, services, bad):
    client.force_login(district_user)
    service = services[MAPPED]
    response = client.post(
        _url("dhis2-elements", world), {"version": mapped.version, f"de_{service.pk}": bad}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not DataElementMapping.objects.filter(service=service).exists()


def test_a_stale_mapping_edit_is_refused(client, world, district_user, mapped, services):
    client.force_login(district_user)
    service = services[MAPPED]
    response = client.post(
        _url("dhis2-elements", world),
        {
            "version": mapped.version - 1 if mapped.version > 1 else 99,
            f"de_{service.pk}": "Abcdefghij1",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].stale is not None
    assert not DataElementMapping.objects.filter(service=service).exists()


def test_one_org_unit_for_two_places_is_refused(client, world, district_user, mapped):
    client.force_login(district_user)
    one, two = world["hsu"]["villages"]
    response = client.post(
        _url("dhis2-org-units", world),
        {"version": mapped.version, f"v_{one.pk}": uid("X", 1), f"v_{two.pk}": uid("X", 1)},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert OrgUnitMapping.objects.get(village=one).org_unit == uid("V", 1)


def test_planner_maps_org_units(client, world, district_user, mapped):
    client.force_login(district_user)
    one, two = world["hsu"]["villages"]
    puskesmas = world["hsu"]["puskesmas"]
    response = client.post(
        _url("dhis2-org-units", world),
        {
            "version": mapped.version,
            f"v_{one.pk}": uid("X", 1),
            f"v_{two.pk}": "",
            f"p_{puskesmas.pk}": uid("V", 2),
        },
    )
    assert response.status_code == 302
    units = {(o.puskesmas_id, o.village_id): o.org_unit for o in OrgUnitMapping.objects.all()}
    assert units == {(None, one.pk): uid("X", 1), (puskesmas.pk, None): uid("V", 2)}


def test_mapping_page_queries_do_not_grow(
    client, world, district_user, mapped, django_assert_num_queries
):
    client.force_login(district_user)
    url = _url("dhis2-district", world)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    hsu = world["hsu"]
    for number in range(10):
        village = VillageFactory(subdistrict=hsu["subdistrict"], puskesmas=hsu["puskesmas"])
        OrgUnitMapping.objects.create(profile=mapped, village=village, org_unit=uid("W", number))
    with django_assert_num_queries(len(few)):
        client.get(url)

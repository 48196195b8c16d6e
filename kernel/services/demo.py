"""The demo world `make run` serves: real regions, a plausible organisation, a user per role.

Regions (codes, names, population) are the public Kemendagri 2025 list, cut to three districts:
Hulu Sungai Utara (63.08) and Kota Banjarmasin (63.71) in Kalimantan Selatan, Kota Bontang (64.74)
in Kalimantan Timur. Puskesmas are named after their kecamatan; their Kemenkes codes, heads and the
people below are made up for the demo.
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from ..models import (
    District,
    HealthOffice,
    HealthOfficeUnit,
    PartnerOrganisation,
    Province,
    Puskesmas,
    ServicePoint,
    Subdistrict,
    User,
    Village,
)
from .organisation import partner_save, puskesmas_save, service_point_save, unit_save
from .regions import regions_import_file
from .users import user_save

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEMO_PASSWORD = "simpul-demo-2026"

# Puskesmas per kecamatan code: (name, inpatient). Two puskesmas share a kecamatan's villages.
PUSKESMAS = {
    "63.08.01": [("Danau Panggang", True)],
    "63.08.02": [("Babirik", True)],
    "63.08.03": [("Alabio", True), ("Sungai Pandan", False)],
    "63.08.04": [("Amuntai Selatan", False)],
    "63.08.05": [("Amuntai Tengah", False), ("Sungai Malang", False)],
    "63.08.06": [("Amuntai Utara", False)],
    "63.08.07": [("Banjang", False)],
    "63.08.08": [("Haur Gading", False)],
    "63.08.09": [("Paminggir", True)],
    "63.08.10": [("Sungai Tabukan", False)],
    "63.71.01": [("Pekauman", False)],
    "63.71.02": [("Pemurus Dalam", False)],
    "63.71.03": [("Teluk Tiram", False)],
    "63.71.04": [("Alalak Selatan", False)],
    "63.71.05": [("Cempaka Putih", False)],
    "64.74.01": [("Bontang Utara I", False), ("Bontang Utara II", False)],
    "64.74.02": [("Bontang Selatan I", True), ("Bontang Lestari", False)],
    "64.74.03": [("Bontang Barat", False)],
}

DINKES_UNITS = [
    ("Sekretariat", HealthOfficeUnit.Kind.SECRETARIAT, None),
    ("Subbagian Perencanaan dan Keuangan", HealthOfficeUnit.Kind.SUBDIVISION, "Sekretariat"),
    ("Subbagian Umum dan Kepegawaian", HealthOfficeUnit.Kind.SUBDIVISION, "Sekretariat"),
    ("Bidang Kesehatan Masyarakat", HealthOfficeUnit.Kind.DIVISION, None),
    (
        "Seksi Kesehatan Keluarga dan Gizi",
        HealthOfficeUnit.Kind.SECTION,
        "Bidang Kesehatan Masyarakat",
    ),
    (
        "Seksi Promosi dan Pemberdayaan Masyarakat",
        HealthOfficeUnit.Kind.SECTION,
        "Bidang Kesehatan Masyarakat",
    ),
    ("Bidang Pencegahan dan Pengendalian Penyakit", HealthOfficeUnit.Kind.DIVISION, None),
    (
        "Seksi Surveilans dan Imunisasi",
        HealthOfficeUnit.Kind.SECTION,
        "Bidang Pencegahan dan Pengendalian Penyakit",
    ),
    (
        "Seksi Penyakit Tidak Menular dan Kesehatan Jiwa",
        HealthOfficeUnit.Kind.SECTION,
        "Bidang Pencegahan dan Pengendalian Penyakit",
    ),
    ("Bidang Pelayanan dan Sumber Daya Kesehatan", HealthOfficeUnit.Kind.DIVISION, None),
    (
        "Seksi Pelayanan Kesehatan Primer",
        HealthOfficeUnit.Kind.SECTION,
        "Bidang Pelayanan dan Sumber Daya Kesehatan",
    ),
]

S = PartnerOrganisation.Sector
DISTRICT_PARTNERS = [
    ("Badan Perencanaan Pembangunan Daerah", "Bappeda", S.PLANNING),
    ("Bagian Pemerintahan Sekretariat Daerah", "Setda", S.REGIONAL_SECRETARIAT),
    ("Dinas Sosial", "Dinsos", S.SOCIAL),
    ("Dinas Pengendalian Penduduk dan Keluarga Berencana", "DP2KB", S.FAMILY_PLANNING),
    ("Dinas Pemberdayaan Perempuan dan Perlindungan Anak", "DP3A", S.WOMEN_CHILDREN),
    ("Dinas Pendidikan", "Disdik", S.EDUCATION),
    ("Kantor Kementerian Agama", "Kemenag", S.RELIGIOUS),
    ("Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil", S.CIVIL_REGISTRY),
    ("Kepolisian Resor", "Polres", S.POLICE),
    ("Komando Distrik Militer", "Kodim", S.MILITARY),
    ("Tim Penggerak PKK Kabupaten", "TP-PKK", S.PKK),
]
SUBDISTRICT_PARTNERS = [
    ("Kecamatan", S.SUBDISTRICT_GOVERNMENT),
    ("Polsek", S.POLICE),
    ("Koramil", S.MILITARY),
    ("KUA", S.RELIGIOUS),
    ("TP-PKK Kecamatan", S.PKK),
]


def _demo_code(subdistrict: Subdistrict, index: int) -> str:
    return "P" + subdistrict.code.replace(".", "") + f"{index + 1:02d}"


def _seed_district(district: District, *, by: User) -> list[Puskesmas]:
    office, _ = HealthOffice.objects.update_or_create(
        district=district,
        defaults={
            "name": f"Dinas Kesehatan {district.name}",
            "head_name": "dr. H. Ahmad Fauzi, M.Kes",
            "address": f"Jl. Jenderal Sudirman No. 1, {district.name.split(' ', 1)[1]}",
        },
    )
    units: dict[str, HealthOfficeUnit] = {}
    for name, kind, parent in DINKES_UNITS:
        unit = HealthOfficeUnit.objects.filter(office=office, name=name).first()
        unit = unit or HealthOfficeUnit(office=office, name=name)
        unit.kind, unit.parent = kind, units.get(parent) if parent else None
        units[name] = unit_save(unit=unit, by=by, version=unit.version)  # an edit of what it read

    short = district.name.split(" ", 1)[1]
    for name, short_name, sector in DISTRICT_PARTNERS:
        found = PartnerOrganisation.objects.filter(district=district, name=f"{name} {short}")
        partner = found.first() or PartnerOrganisation(district=district, name=f"{name} {short}")
        partner.short_name, partner.sector = short_name, sector
        partner_save(partner=partner, by=by, version=partner.version)

    puskesmas_list = []
    for subdistrict in district.subdistricts.order_by("code"):
        for prefix, sector in SUBDISTRICT_PARTNERS:
            name = f"{prefix} {subdistrict.name}"
            existing = PartnerOrganisation.objects.filter(district=district, name=name).first()
            partner = existing or PartnerOrganisation(district=district, name=name)
            partner.subdistrict, partner.sector = subdistrict, sector
            partner_save(partner=partner, by=by, version=partner.version)
        villages = list(subdistrict.villages.order_by("code"))
        plans = PUSKESMAS.get(subdistrict.code, [])
        for index, (name, inpatient) in enumerate(plans):
            share = villages[index :: len(plans)] if len(plans) > 1 else villages
            code = _demo_code(subdistrict, index)
            puskesmas = Puskesmas.objects.filter(code=code).first() or Puskesmas(code=code)
            puskesmas.name = f"Puskesmas {name}"
            puskesmas.district, puskesmas.subdistrict = district, subdistrict
            puskesmas.is_inpatient = inpatient
            puskesmas.head_name = puskesmas.head_name or "dr. Siti Rahmah"
            puskesmas_save(puskesmas=puskesmas, villages=share, by=by, version=puskesmas.version)
            _seed_service_points(puskesmas, list(puskesmas.villages.order_by("code")), by=by)
            puskesmas_list.append(puskesmas)
    return puskesmas_list


def _seed_service_points(puskesmas: Puskesmas, villages: list[Village], *, by: User) -> None:
    points: list[tuple[ServicePoint.Kind, str, Village | None]] = [
        (ServicePoint.Kind.POSBINDU, f"Posbindu {puskesmas.name.split(' ', 1)[1]}", None)
    ]
    for index, village in enumerate(villages):
        points.append((ServicePoint.Kind.POSYANDU, f"Posyandu {village.name}", village))
        if index % 4 == 1:
            points.append((ServicePoint.Kind.PUSTU, f"Pustu {village.name}", village))
    for kind, name, where in points:
        point = ServicePoint.objects.filter(puskesmas=puskesmas, kind=kind, name=name).first()
        point = point or ServicePoint(puskesmas=puskesmas, kind=kind, name=name)
        point.village = where
        service_point_save(service_point=point, by=by, version=point.version)


DEMO_USERS = [
    # username, role, area kind, area code, first name, position
    ("admin", User.Role.SYSTEM_ADMIN, None, None, "Admin", "Administrator sistem"),
    (
        "prov.kalsel",
        User.Role.PROVINCE_REVIEWER,
        "province",
        "63",
        "Nurul",
        "Analis program, Dinkes Provinsi Kalimantan Selatan",
    ),
    (
        "prov.kaltim",
        User.Role.PROVINCE_REVIEWER,
        "province",
        "64",
        "Andi",
        "Analis program, Dinkes Provinsi Kalimantan Timur",
    ),
    (
        "dinkes.hsu",
        User.Role.DISTRICT_PLANNER,
        "district",
        "63.08",
        "Rahmadi",
        "Perencana, Dinkes Hulu Sungai Utara",
    ),
    (
        "dinkes.banjarmasin",
        User.Role.DISTRICT_PLANNER,
        "district",
        "63.71",
        "Fitri",
        "Perencana, Dinkes Kota Banjarmasin",
    ),
    (
        "dinkes.bontang",
        User.Role.DISTRICT_PLANNER,
        "district",
        "64.74",
        "Yusuf",
        "Perencana, Dinkes Kota Bontang",
    ),
    (
        "kapus.danaupanggang",
        User.Role.PUSKESMAS_HEAD,
        "puskesmas",
        "Puskesmas Danau Panggang",
        "Siti",
        "Kepala Puskesmas Danau Panggang",
    ),
    (
        "staf.danaupanggang",
        User.Role.PUSKESMAS_STAFF,
        "puskesmas",
        "Puskesmas Danau Panggang",
        "Aulia",
        "Bidan koordinator, Puskesmas Danau Panggang",
    ),
    (
        "kapus.alabio",
        User.Role.PUSKESMAS_HEAD,
        "puskesmas",
        "Puskesmas Alabio",
        "Hendra",
        "Kepala Puskesmas Alabio",
    ),
    (
        "kapus.bontangutara1",
        User.Role.PUSKESMAS_HEAD,
        "puskesmas",
        "Puskesmas Bontang Utara I",
        "Maria",
        "Kepala Puskesmas Bontang Utara I",
    ),
]


def _area(kind: str | None, key: str | None):
    if kind == "province":
        return Province.objects.get(code=key)
    if kind == "district":
        return District.objects.get(code=key)
    if kind == "puskesmas":
        return Puskesmas.objects.get(name=key)
    return None


@transaction.atomic
def demo_seed(*, password: str = DEMO_PASSWORD) -> list[tuple[str, str, str]]:
    """Load (or refresh) the demo regions, organisation and users; idempotent; returns
    (username, role, area) per user. The apps' own demo data follow (SIMPUL_DEMO_SEEDERS)."""
    regions_import_file(
        path=DATA_DIR / "demo_regions.csv",
        population_path=DATA_DIR / "demo_population.csv",
        year=2025,
    )
    admin = user_save(
        username="admin",
        role=User.Role.SYSTEM_ADMIN,
        area=None,
        password=password,
        first_name="Admin",
        position="Administrator sistem",
    )
    for district in District.objects.filter(code__in=["63.08", "63.71", "64.74"]):
        _seed_district(district, by=admin)
    logins = []
    for username, role, kind, key, first_name, position in DEMO_USERS:
        area = _area(kind, key)
        user = user_save(
            username=username,
            role=role,
            area=area,
            password=password,
            first_name=first_name,
            position=position,
        )
        logins.append((user.username, str(user.get_role_display()), str(area or "Indonesia")))
    # Every Hulu Sungai Utara puskesmas has a head: they report (indicators' demo).
    for puskesmas in Puskesmas.objects.filter(district__code="63.08"):
        if not User.objects.filter(puskesmas=puskesmas, role=User.Role.PUSKESMAS_HEAD).exists():
            user_save(
                username=f"kapus.{puskesmas.code.lower()}",
                role=User.Role.PUSKESMAS_HEAD,
                area=puskesmas,
                password=password,
                first_name="Kepala",
                position=f"Kepala {puskesmas.name}",
            )
    return logins

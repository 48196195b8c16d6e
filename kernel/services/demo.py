"""The demo world `make run` serves: real regions, a plausible organisation, a user per role.

Regions (codes, names, population) are the public Kemendagri 2025 list, cut to three districts:
Hulu Sungai Utara (63.08) and Kota Banjarmasin (63.71) in Kalimantan Selatan, Kota Bontang (64.74)
in Kalimantan Timur. Puskesmas are named after their kecamatan; their Kemenkes codes, heads and the
people below are made up for the demo.

Every puskesmas has a head of its own (a user, role puskesmas head, named in `HEADS`), who signs
its plans. Every demo user has a made-up mobile number from `demo_phone` (08xx-0000-nnnn or
+62 8xx-0000-nnnn: the 0000 block marks it as fictitious), so the WhatsApp links work.
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

# Each puskesmas's head: (first name, last name, as the head signs). Made-up people.
HEADS = {
    "Danau Panggang": ("Siti", "Rahmah", "dr. Siti Rahmah"),
    "Babirik": ("Muhammad Rizky", "Fadillah", "dr. Muhammad Rizky Fadillah"),
    "Alabio": ("Hendra", "Saputra", "dr. Hendra Saputra"),
    "Sungai Pandan": ("Nor", "Hasanah", "drg. Nor Hasanah"),
    "Amuntai Selatan": ("Ahmad", "Syarifuddin", "dr. Ahmad Syarifuddin"),
    "Amuntai Tengah": ("Rina Kartika", "Sari", "dr. Rina Kartika Sari"),
    "Sungai Malang": ("Mahmudah", "", "Hj. Mahmudah, S.KM, M.Kes"),
    "Amuntai Utara": ("Yusran", "Effendi", "dr. Yusran Effendi"),
    "Banjang": ("Nurul", "Hidayati", "Nurul Hidayati, S.Kep., Ns."),
    "Haur Gading": ("Fahrurrazi", "", "dr. Fahrurrazi"),
    "Paminggir": ("Akhmad", "Rifani", "Akhmad Rifani, S.KM"),
    "Sungai Tabukan": ("Dewi", "Anggraini", "dr. Dewi Anggraini"),
    "Pekauman": ("Lailatul", "Fitriah", "dr. Lailatul Fitriah"),
    "Pemurus Dalam": ("Gusti Rahmat", "Hidayat", "dr. Gusti Rahmat Hidayat"),
    "Teluk Tiram": ("Raudatul", "Jannah", "drg. Raudatul Jannah"),
    "Alalak Selatan": ("Syahrian", "Noor", "dr. Syahrian Noor"),
    "Cempaka Putih": ("Ayu", "Lestari", "dr. Ayu Lestari, MPH"),
    "Bontang Utara I": ("Maria", "Ulfah", "dr. Maria Ulfah"),
    "Bontang Utara II": ("Andi Baso", "Amir", "dr. Andi Baso Amir"),
    "Bontang Selatan I": ("Ketut", "Wirawan", "dr. Ketut Wirawan"),
    "Bontang Lestari": ("Hasriani", "", "Hasriani, S.KM"),
    "Bontang Barat": ("Fransiska", "Dewi", "dr. Fransiska Dewi"),
}
_ROMAN = {"I": "1", "II": "2", "III": "3"}
_MOBILE_PREFIXES = ("0812", "0813", "0852", "0821", "0811", "0853")


def demo_phone(number: int) -> str:
    """A made-up Indonesian mobile number, the same for the same `number` (0-9999): 08xx-0000-nnnn,
    one in three written +62 8xx-0000-nnnn. The 0000 block marks it as fictitious."""
    prefix = _MOBILE_PREFIXES[number % len(_MOBILE_PREFIXES)]
    if number % 3 == 2:
        return f"+62 {prefix[1:]}-0000-{number % 10000:04d}"
    return f"{prefix}-0000-{number % 10000:04d}"


def head_username(puskesmas_name: str) -> str:
    """kapus.<name>: 'Puskesmas Bontang Utara I' -> 'kapus.bontangutara1'."""
    words = puskesmas_name.removeprefix("Puskesmas ").split()
    return "kapus." + "".join(_ROMAN.get(word, word.lower()) for word in words)


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
            puskesmas.head_name = HEADS.get(name, ("", "", "dr. Siti Rahmah"))[2]
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


R = User.Role
# username, role, area kind, area key, first name, last name, position. Printed by `seed_demo`
# (one login per role, and a few more); every other puskesmas head exists too (`HEADS`).
DEMO_USERS = [
    ("admin", R.SYSTEM_ADMIN, None, None, "Admin", "", "Administrator sistem"),
    ("prov.kalsel", R.PROVINCE_REVIEWER, "province", "63", "Nurul", "Aini",
     "Analis program, Dinkes Provinsi Kalimantan Selatan"),
    ("prov.kaltim", R.PROVINCE_REVIEWER, "province", "64", "Andi", "Pratama",
     "Analis program, Dinkes Provinsi Kalimantan Timur"),
    ("dinkes.hsu", R.DISTRICT_PLANNER, "district", "63.08", "Rahmadi", "Noor",
     "Perencana, Dinkes Hulu Sungai Utara"),
    ("dinkes.banjarmasin", R.DISTRICT_PLANNER, "district", "63.71", "Fitri", "Handayani",
     "Perencana, Dinkes Kota Banjarmasin"),
    ("dinkes.bontang", R.DISTRICT_PLANNER, "district", "64.74", "Yusuf", "Hamzah",
     "Perencana, Dinkes Kota Bontang"),
    ("kapus.danaupanggang", R.PUSKESMAS_HEAD, "puskesmas", "Puskesmas Danau Panggang", "Siti",
     "Rahmah", "Kepala Puskesmas Danau Panggang"),
    ("staf.danaupanggang", R.PUSKESMAS_STAFF, "puskesmas", "Puskesmas Danau Panggang", "Aulia",
     "Rahmawati", "Bidan koordinator, Puskesmas Danau Panggang"),
    ("kapus.alabio", R.PUSKESMAS_HEAD, "puskesmas", "Puskesmas Alabio", "Hendra", "Saputra",
     "Kepala Puskesmas Alabio"),
    ("kapus.bontangutara1", R.PUSKESMAS_HEAD, "puskesmas", "Puskesmas Bontang Utara I", "Maria",
     "Ulfah", "Kepala Puskesmas Bontang Utara I"),
    # Issue #18: a planning mentor (assigned to HSU by assessments.services.demo).
    ("mentor.hsu", R.MENTOR, None, None, "Dewi", "Lestari",
     "Pendamping perencanaan, Universitas Lambung Mangkurat"),
]  # fmt: skip


def _area(kind: str | None, key: str | None):
    if kind == "province":
        return Province.objects.get(code=key)
    if kind == "district":
        return District.objects.get(code=key)
    if kind == "puskesmas":
        return Puskesmas.objects.get(name=key)
    return None


def _set_contact(user: User, **values: str) -> User:
    """Give `user` these fields (name, phone...) where they differ; saved only if one did."""
    changed = [name for name, value in values.items() if getattr(user, name) != value]
    if changed:
        for name in changed:
            setattr(user, name, values[name])
        user.full_clean(exclude=["password"])
        user.save(update_fields=changed)
    return user


def _seed_heads(*, password: str, taken: set[str]) -> None:
    """A head of its own for every demo puskesmas (`HEADS`), with a phone; the printed ones
    (`taken`) are made by `DEMO_USERS`. Passwords are set when an account is made only (hashing
    is the slow part of the seed)."""
    role = User.Role.PUSKESMAS_HEAD
    for number, puskesmas in enumerate(Puskesmas.objects.order_by("code"), start=100):
        name = puskesmas.name.removeprefix("Puskesmas ")
        first, last, _signs = HEADS.get(name, ("Kepala", name, ""))
        username = head_username(puskesmas.name)
        if username in taken:
            continue
        # An earlier demo named heads by the puskesmas code: that account is renamed, not doubled.
        user = (
            User.objects.filter(username=username).first()
            or User.objects.filter(username=f"kapus.{puskesmas.code.lower()}").first()
        )
        if user is None:
            user = user_save(
                username=username, role=role, area=puskesmas, password=password,
                first_name=first, last_name=last, position=f"Kepala {puskesmas.name}",
            )  # fmt: skip
        _set_contact(
            user, username=username, first_name=first, last_name=last, phone=demo_phone(number)
        )


@transaction.atomic
def demo_seed(*, password: str = DEMO_PASSWORD) -> list[tuple[str, str, str]]:
    """Load (or refresh) the demo regions, organisation and users; idempotent; returns
    (username, role, area) of the users to print. The apps' own demo data follow
    (SIMPUL_DEMO_SEEDERS)."""
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
    for number, (username, role, kind, key, first, last, position) in enumerate(DEMO_USERS, 1):
        area = _area(kind, key)
        user = user_save(
            username=username,
            role=role,
            area=area,
            password=password,
            first_name=first,
            last_name=last,
            position=position,
        )
        _set_contact(user, phone=demo_phone(number))
        logins.append((user.username, str(user.get_role_display()), str(area or "Indonesia")))
    # Every puskesmas has its own head: they report, and sign their plans.
    _seed_heads(password=password, taken={username for username, *_rest in DEMO_USERS})
    return logins

"""Demo of who does what across agencies: Hulu Sungai Utara's role matrix for this year, agreed
at its cross-sector forum (workshops' demo, DOMAIN.md §1 item 4 and §7) and linked to the
forum's commitments and RTL items, and data requests to other agencies at every status.

Runs after the indicators, workshops and planning demos, through the same services as the pages
(cycle.services.roles). Idempotent: roles are found by their cell (service, role, agency) and
data requests by what they ask for, so a re-run adds nothing. One forum commitment (Setda's) is
left unlinked: the "roles from a forum" page still has something to propose.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from kernel.models import District, PartnerOrganisation, User
from workshops.models import Commitment, FollowUp, Meeting

from ..models import DataRequest, RoleAssignment
from ..selectors.roles import role_services
from . import roles as services

DISTRICT_CODE = "63.08"  # Kabupaten Hulu Sungai Utara
PLANNER = "dinkes.hsu"
R = RoleAssignment.Role

# (service number, role, partner short name or None, agency when no partner, what it does,
#  partner short names whose forum commitments carry it, RTL item activities that carry it)
ROLES: list[tuple[int, str, str | None, str, str, tuple[str, ...], tuple[str, ...]]] = [
    (1, R.DATA, "Dinsos", "",
     "Memadankan DTSEN dengan data ibu hamil; mengusulkan yang miskin dan belum terdaftar "
     "sebagai peserta JKN-PBI", ("Dinsos",), ("Rapat teknis pemadanan",)),
    (4, R.DATA, "Dinsos", "",
     "Data keluarga miskin dengan balita gizi kurang untuk usulan JKN-PBI", ("Dinsos",), ()),
    (1, R.MOBILISES, "DP2KB", "",
     "Tim Pendamping Keluarga mendampingi ibu hamil berisiko dan menawarkan KB pascapersalinan",
     ("DP2KB",), ()),
    (4, R.DATA, "DP2KB", "",
     "Data keluarga berisiko stunting per desa untuk Dinkes setiap triwulan", ("DP2KB",), ()),
    (4, R.DATA, None, "Dinas Kesehatan",
     "Dasbor bersama sasaran stunting per desa untuk semua OPD", (), ("Dasbor bersama",)),
    (3, R.DATA, "Disdukcapil", "",
     "NIK dan akta kelahiran bayi baru lahir di puskesmas rawat inap (layanan 3 in 1)",
     ("Disdukcapil",), ()),
    (5, R.DELIVERS, "Disdik", "",
     "Skrining kesehatan anak SD bersama puskesmas dalam kalender UKS", ("Disdik",), ()),
    (5, R.DELIVERS, None, "Puskesmas se-Kabupaten Hulu Sungai Utara",
     "Pemeriksaan kesehatan siswa kelas 1 dan 7 bersama guru UKS", (), ()),
    (5, R.MOBILISES, "Kemenag", "",
     "Skrining kesehatan di madrasah; materi 1000 HPK dalam bimbingan perkawinan",
     ("Kemenag",), ()),
    (4, R.DELIVERS, "DP3A", "",
     "Mendampingi tiga puskesmas menuju puskesmas ramah anak", ("DP3A",), ()),
    (1, R.FUNDS, "Bappeda", "",
     "Indikator SPM kesehatan dan penandaan anggarannya dalam RKPD", ("Bappeda",), ()),
    (4, R.FUNDS, "Bappeda", "",
     "Anggaran percepatan penurunan stunting lintas OPD dalam RKPD", ("Bappeda",), ()),
    (1, R.MOBILISES, "TP-PKK", "",
     "Kader PKK menggerakkan ibu hamil ke kelas ibu hamil dan pemeriksaan kehamilan", (), ()),
    (4, R.MOBILISES, "TP-PKK", "",
     "Kader PKK menggerakkan balita ke posyandu setiap bulan", (), ()),
    (1, R.DELIVERS, None, "Dinas Kesehatan dan puskesmas",
     "Pelayanan antenatal enam kali sesuai standar dan kelas ibu hamil", (), ()),
]  # fmt: skip

# (partner short name, data, service number, days after the forum it was asked, status,
#  days after asking it was promised by, days after asking it arrived, what it was used for)
REQUESTS: list[tuple[str, str, int, int, str, int | None, int | None, str]] = [
    ("Dinsos", "DTSEN desil 1-4: ibu hamil dan balita tanpa JKN aktif", 1, 0, "used", 14, 12,
     "Sasaran usulan JKN-PBI layanan 1 dan 4"),
    ("DP2KB", "Keluarga berisiko stunting per desa (pemutakhiran PK)", 4, 2, "received", 21,
     25, ""),
    ("Disdukcapil", "Jumlah kelahiran per desa tahun lalu menurut akta terbit", 3, 5,
     "promised", 25, None, ""),
    ("Kemenag", "Jumlah siswa madrasah per kecamatan", 5, 80, "promised", 40, None, ""),
    ("Disdik", "Jumlah siswa kelas 1 dan 7 per sekolah", 5, 90, "asked", None, None, ""),
]  # fmt: skip


def _forum(district: District) -> Meeting | None:
    return (
        Meeting.objects.filter(district=district, kind=Meeting.Kind.DISTRICT_FORUM)
        .order_by("-held_on", "-pk")
        .first()
    )


def _roles(
    *, district: District, year: int, forum: Meeting | None, planner: User, partners: dict
) -> None:
    services_by_number = {service.number: service for service in role_services(year)}
    commitments = list(Commitment.objects.filter(meeting=forum).select_related("partner"))
    follow_ups = list(FollowUp.objects.filter(meeting=forum))
    for number, role_value, short, agency, description, carried_by, rtl in ROLES:
        service = services_by_number.get(number)
        partner = partners.get(short) if short else None
        if service is None or (short and partner is None):
            continue
        found = RoleAssignment.objects.filter(
            district=district, year=year, service=service, role=role_value
        )
        found = found.filter(partner=partner) if partner else found.filter(agency=agency)
        role = found.first() or RoleAssignment(
            district=district, year=year, service=service, role=role_value
        )
        if role.pk is None:
            role.partner, role.agency, role.description = partner, agency, description
            role.meeting = forum
            services.role_save(role=role, by=planner)
        wanted_c = {
            c.pk
            for c in commitments
            if c.partner is not None and c.partner.short_name in carried_by
        }
        wanted_f = {f.pk for f in follow_ups if any(f.activity.startswith(t) for t in rtl)}
        have_c = set(role.commitments.values_list("pk", flat=True))
        have_f = set(role.follow_ups.values_list("pk", flat=True))
        if not (wanted_c <= have_c and wanted_f <= have_f):
            services.role_links_set(
                role=role,
                commitment_ids=have_c | wanted_c,
                follow_up_ids=have_f | wanted_f,
                by=planner,
                version=role.version,
            )


def _requests(
    *,
    district: District,
    year: int,
    forum: Meeting | None,
    planner: User,
    partners: dict,
    today: datetime.date,
) -> None:
    services_by_number = {service.number: service for service in role_services(year)}
    start = forum.held_on if forum else today - datetime.timedelta(days=100)
    for short, data, number, after, status, promised, received, used_for in REQUESTS:
        partner = partners.get(short)
        if (
            partner is None
            or DataRequest.objects.filter(district=district, year=year, data=data).exists()
        ):
            continue
        asked_on = min(start + datetime.timedelta(days=after), today)
        request = services.data_request_save(
            data_request=DataRequest(
                district=district,
                year=year,
                partner=partner,
                data=data,
                service=services_by_number.get(number),
                asked_on=asked_on,
                meeting=forum if after == 0 else None,
            ),
            by=planner,
            today=today,
        )
        if promised is not None:
            request = services.data_request_advance(
                data_request=request,
                status=DataRequest.Status.PROMISED,
                promised_by=asked_on + datetime.timedelta(days=promised),
                by=planner,
                version=request.version,
                today=today,
            )
        if status in (DataRequest.Status.RECEIVED, DataRequest.Status.USED) and received:
            request = services.data_request_advance(
                data_request=request,
                status=DataRequest.Status.RECEIVED,
                received_on=min(asked_on + datetime.timedelta(days=received), today),
                by=planner,
                version=request.version,
                today=today,
            )
        if status == DataRequest.Status.USED:
            services.data_request_advance(
                data_request=request,
                status=DataRequest.Status.USED,
                used_for=used_for,
                by=planner,
                version=request.version,
                today=today,
            )


@transaction.atomic
def demo_roles(*, today: datetime.date | None = None) -> None:
    """Load (or complete) Hulu Sungai Utara's role matrix and data requests for this year;
    idempotent and atomic. Does nothing without the district or its planner."""
    today = today or timezone.localdate()
    district = District.objects.filter(code=DISTRICT_CODE).select_related("province").first()
    planner = User.objects.filter(username=PLANNER).first()
    if district is None or planner is None:
        return
    year = today.year
    forum = _forum(district)
    partners = {
        p.short_name: p
        for p in PartnerOrganisation.objects.filter(district=district).exclude(short_name="")
    }
    _roles(district=district, year=year, forum=forum, planner=planner, partners=partners)
    _requests(
        district=district,
        year=year,
        forum=forum,
        planner=planner,
        partners=partners,
        today=today,
    )

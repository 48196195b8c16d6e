"""Demo plans for Hulu Sungai Utara, built through the same services the pages use.

- Next year's RUK of every puskesmas, started from its weakest SPM gaps in the latest computed
  quarter (the indicators demo computes this year's quarters) and from the open RTL items of its
  lokmin when the meetings demo made some; a few submitted, one returned, one approved.
- The Dinkes plan for next year, by budget sub-activity code.
- This year (issue #16, the e-SPM report's part C): every puskesmas's approved RUK, with the
  maternal services (1-3) and two others, some funded by DBH-CHT, scheduled month by month (its
  RPK), and the Dinkes plan likewise; each realised through the last ended month, as the
  puskesmas and the district would have entered it: most activities done at a cost near the
  plan, some not done with a reason.
Idempotent: a plan that already has activities is left as it is; an entry already realised is
left as it is (a later run realises the months that have ended since).
"""

from __future__ import annotations

import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from indicators.models import SPMService
from kernel.models import District, FundingSource, Puskesmas, User

from ..models import BudgetSubActivity, Plan, ScheduleEntry
from ..selectors import next_plan_year, plan_follow_ups, plan_gaps
from ..selectors.budget import last_ended_month, year_services
from .activities import activity_create
from .plans import plan_approve, plan_create, plan_return, plan_submit
from .realisation import realisation_record
from .schedule import schedule_add

F = FundingSource
# SPM service number -> effort, activity, target group, partners, timing, staff, equipment, source
ACTIVITIES = {
    1: (
        "KIA-KB",
        "Kelas ibu hamil dan kunjungan rumah ibu hamil yang belum lengkap ANC-nya",
        "Ibu hamil",
        "Bidan desa, kader Posyandu, TP-PKK",
        "Februari-November",
        "Bidan koordinator, bidan desa",
        "Buku KIA, doppler",
        F.BOK,
    ),
    2: (
        "KIA-KB",
        "Pendampingan persalinan di fasilitas kesehatan dan rumah tunggu kelahiran",
        "Ibu bersalin",
        "Pemerintah desa, kader",
        "Januari-Desember",
        "Bidan desa",
        "Partus set",
        F.BOK,
    ),
    3: (
        "KIA-KB",
        "Kunjungan neonatal lengkap oleh bidan desa",
        "Bayi baru lahir",
        "Kader Posyandu",
        "Januari-Desember",
        "Bidan desa",
        "Timbangan bayi",
        F.BOK,
    ),
    4: (
        "Gizi",
        "Sweeping balita yang tidak datang ke Posyandu dan pemantauan pertumbuhan",
        "Balita",
        "Kader Posyandu, pemerintah desa",
        "Maret-November",
        "Tenaga gizi, bidan desa",
        "Antropometri kit",
        F.VILLAGE_FUND,
    ),
    5: (
        "UKS dan Kesehatan Remaja",
        "Penjaringan kesehatan anak sekolah SD/MI",
        "Anak usia pendidikan dasar",
        "Koordinator pendidikan kecamatan, KUA",
        "Juli-September",
        "Perawat, dokter gigi",
        "Snellen chart, timbangan",
        F.BOK,
    ),
    6: (
        "PTM dan Keswa",
        "Skrining PTM usia produktif di Posbindu dan tempat kerja",
        "Penduduk usia 15-59 tahun",
        "Perusahaan, kantor desa",
        "Februari-November",
        "Perawat, kader Posbindu",
        "Tensimeter, glukometer",
        F.APBD,
    ),
    7: (
        "Lansia",
        "Skrining kesehatan lansia di Posyandu lansia",
        "Penduduk usia 60+",
        "TP-PKK, kader lansia",
        "Januari-Desember",
        "Perawat",
        "Tensimeter",
        F.BOK,
    ),
    8: (
        "PTM dan Keswa",
        "Pemantauan tekanan darah dan kepatuhan minum obat penderita hipertensi",
        "Penderita hipertensi",
        "Kader Posbindu",
        "Januari-Desember",
        "Dokter, perawat",
        "Tensimeter digital",
        F.JKN,
    ),
    9: (
        "PTM dan Keswa",
        "Pemeriksaan gula darah berkala penderita diabetes melitus",
        "Penderita DM",
        "Kader Posbindu",
        "Januari-Desember",
        "Dokter, analis",
        "Glukometer dan strip",
        F.JKN,
    ),
    10: (
        "PTM dan Keswa",
        "Kunjungan rumah ODGJ berat dan pemantauan minum obat",
        "ODGJ berat",
        "Dinas Sosial, pemerintah desa",
        "Januari-Desember",
        "Perawat jiwa",
        "-",
        F.APBD,
    ),
    11: (
        "P2P",
        "Investigasi kontak dan penemuan terduga TBC",
        "Terduga TBC",
        "Kader TB, pemerintah desa",
        "Januari-Desember",
        "Petugas TB, analis",
        "Pot dahak, TCM",
        F.BOK,
    ),
    12: (
        "P2P",
        "Tes HIV pada kelompok berisiko dan ibu hamil",
        "Orang berisiko HIV",
        "KUA, LSM peduli AIDS",
        "Maret-November",
        "Petugas HIV, analis",
        "Rapid test HIV",
        F.BOK,
    ),
}
DINKES = [
    (1, "Bimbingan teknis pelayanan antenatal terpadu bagi bidan puskesmas", F.BOK, 85_000_000),
    (
        2,
        "Pendampingan rujukan ibu bersalin risiko tinggi dan rumah tunggu kelahiran",
        F.DBH_CHT,
        70_000_000,
    ),
    (3, "Pelatihan manajemen asfiksia bayi baru lahir bagi bidan", F.DBH_CHT, 40_000_000),
    (4, "Pelatihan pemantauan pertumbuhan bagi tenaga gizi puskesmas", F.BOK, 60_000_000),
    (8, "Pengadaan tensimeter digital untuk Posbindu", F.DAK_PHYSICAL, 120_000_000),
    (11, "Penguatan jejaring layanan TBC dan pengiriman spesimen TCM", F.APBD, 95_000_000),
    (None, "Monitoring dan evaluasi capaian SPM triwulanan", F.APBD, 45_000_000),
]
# This year's RUK of each puskesmas: the maternal services, then two more by its place in the
# list; DBH-CHT funds the delivery and newborn activities of some (DOMAIN.md §7).
THIS_YEAR_MORE = [(4, 7), (8, 11), (6, 9), (5, 12), (10, 4), (7, 8)]
NOT_DONE_REASONS = [
    "Bidan desa mengikuti pelatihan di kabupaten",
    "Jalan ke desa terputus karena banjir",
    "Dana belum cair dari kas daerah",
    "Sasaran tidak hadir, dijadwalkan ulang bulan berikutnya",
    "Bertepatan dengan kegiatan imunisasi massal",
]


def _fields(number: int, *, target: int, budget: int, service: SPMService | None) -> dict:
    effort, name, group, partners, timing, staff, equipment, source = ACTIVITIES[number]
    return {
        "effort": effort,
        "name": name,
        "goal": f"Capaian SPM {number} mencapai 100% sasaran",
        "target_group": group,
        "target": f"100% ({target} orang)" if target else "100%",
        "responsible": "Pemegang program " + effort,
        "staff_needed": staff,
        "equipment_needed": equipment,
        "partners": partners,
        "timing": timing,
        "budget_idr": Decimal(budget),
        "indicator": f"Persentase capaian SPM {number}",
        "funding_source": source,
        "service": service,
        "sub_activity": None,
    }


def _head(puskesmas: Puskesmas) -> User | None:
    return (
        User.objects.filter(puskesmas=puskesmas, role=User.Role.PUSKESMAS_HEAD)
        .order_by("pk")
        .first()
    )


def _next_year_ruk(puskesmas: Puskesmas, head: User, index: int) -> Plan:
    plan = plan_create(year=next_plan_year(), by=head)
    if plan.activities.exists():
        return plan
    for gap in plan_gaps(user=head, plan=plan).gaps[:3]:
        budget = 8_000_000 + 1_500_000 * gap.service.number + 500_000 * index
        fields = _fields(gap.service.number, target=gap.target, budget=budget, service=None)
        activity_create(plan=plan, fields=fields, by=head, gap_service=gap.service)
    for item in plan_follow_ups(user=head, plan=plan)[:2]:
        activity_create(
            plan=plan,
            fields={
                "effort": "Manajemen Puskesmas",
                "name": item.activity,
                "goal": item.goal,
                "target_group": item.target_group,
                "target": item.target,
                "responsible": item.responsible,
                "partners": item.partner.name if item.partner is not None else "",
                "timing": "Januari-Desember",
                "budget_idr": Decimal(item.cost_idr or 5_000_000),
                "indicator": item.success_indicator,
                "funding_source": item.funding_source or F.BOK,
                "service": None,
                "sub_activity": None,
            },
            by=head,
            follow_up=item,
        )
    activity_create(
        plan=plan,
        fields={
            "effort": "Manajemen Puskesmas",
            "name": "Lokakarya mini bulanan dan lintas sektor triwulanan",
            "goal": "Pemantauan capaian program dan tindak lanjut bersama lintas sektor",
            "target_group": "Seluruh staf puskesmas dan lintas sektor kecamatan",
            "target": "12 lokmin bulanan, 4 lokmin triwulanan",
            "responsible": "Kepala puskesmas",
            "partners": "Camat, Polsek, Koramil, KUA, TP-PKK",
            "timing": "Januari-Desember",
            "budget_idr": Decimal(18_000_000),
            "indicator": "Lokmin terlaksana sesuai jadwal",
            "funding_source": F.BOK,
            "service": None,
            "sub_activity": None,
        },
        by=head,
    )
    return plan


def _review(plan: Plan, head: User, planner: User, index: int) -> None:
    """Some RUKs submitted, one returned, one approved; the others stay drafts."""
    if plan.status != Plan.Status.DRAFT or index % 3 == 2:
        return
    plan_submit(plan=plan, version=plan.version, by=head)
    if index == 1:
        plan_return(
            plan=plan,
            version=plan.version,
            reason="Anggaran skrining PTM terlalu besar dibanding sasaran; mohon dihitung ulang.",
            by=planner,
        )
    elif index == 3:
        plan_approve(plan=plan, version=plan.version, by=planner)


def _dinkes_plan(planner: User, year: int) -> Plan:
    """The district's own plan for `year`, each activity under its SPM service's budget code
    (the monitoring one under surveillance)."""
    plan = plan_create(year=year, by=planner)
    if plan.activities.exists():
        return plan
    services = {s.number: s for s in year_services(plan.year)}
    for number, name, source, budget in DINKES:
        code = BudgetSubActivity.objects.filter(
            **({"spm_number": number} if number else {"code__endswith": ".0020"})
        ).first()
        activity_create(
            plan=plan,
            fields={
                "effort": "Dinas Kesehatan",
                "name": name,
                "goal": "Mendukung puskesmas mencapai 100% SPM",
                "target_group": "Puskesmas se-kabupaten",
                "target": "Seluruh puskesmas",
                "responsible": "Kepala bidang terkait",
                "timing": "Februari-November",
                "budget_idr": Decimal(budget),
                "indicator": "Kegiatan terlaksana",
                "funding_source": source,
                "service": services.get(number) if number is not None else None,
                "sub_activity": code,
            },
            by=planner,
        )
    return plan


def _this_year_rpk(puskesmas: Puskesmas, head: User, planner: User, index: int) -> Plan:
    """This year's RUK of one puskesmas, approved, with its activities spread over months."""
    plan = plan_create(year=timezone.localdate().year, by=head)
    if plan.activities.exists():
        return plan
    services = {s.number: s for s in year_services(plan.year)}
    for number in (1, 2, 3, *THIS_YEAR_MORE[index % len(THIS_YEAR_MORE)]):
        budget = 6_000_000 + 1_000_000 * number + 250_000 * index
        fields = _fields(number, target=0, budget=budget, service=services.get(number))
        if (number == 2 and index % 2 == 0) or (number == 3 and index % 3 == 0):
            fields["funding_source"] = F.DBH_CHT
        activity_create(plan=plan, fields=fields, by=head)
    plan_submit(plan=plan, version=plan.version, by=head)
    plan_approve(plan=plan, version=plan.version, by=planner)
    _schedule(plan, head, location="Posyandu dan desa wilayah kerja")
    return plan


def _schedule(plan: Plan, by: User, *, location: str) -> None:
    """Each activity's budget spread over a few months of the year (its RPK)."""
    for index, activity in enumerate(plan.activities.order_by("pk")):
        months = range(1 + index % 3, 13, 2 + index % 2)
        cost = (activity.budget_idr / len(months)).to_integral_value(rounding="ROUND_FLOOR")
        for month in months:
            schedule_add(
                activity=activity,
                month=month,
                cost_idr=cost,
                volume="1 kali",
                location=location,
                details=activity.target_group,
                by=by,
            )


def _realise(plan: Plan, by: User) -> None:
    """The plan's entries of the months that have ended, realised as its writers would have:
    most done at 85-100 % of the planned cost (whole thousands), about one in eight not done
    with a reason. Entries already realised are left alone."""
    through = last_ended_month(plan.year)
    entries = (
        ScheduleEntry.objects.filter(
            activity__plan=plan, month__lte=through, realisation=ScheduleEntry.Realisation.PLANNED
        )
        .select_related("activity__plan__district")
        .order_by("month", "pk")
    )
    owner = plan.puskesmas.code if plan.puskesmas is not None else plan.district.code
    for entry in entries:
        rng = random.Random(f"{owner}-{plan.year}-{entry.activity.name}-{entry.month}")
        if rng.random() < 0.12:
            realisation_record(
                entry=entry,
                realisation=ScheduleEntry.Realisation.NOT_DONE,
                cost_realised_idr=0,
                note=rng.choice(NOT_DONE_REASONS),
                version=entry.version,
                by=by,
            )
            continue
        share = Decimal(rng.randint(85, 100)) / 100
        cost = (entry.cost_idr * share / 1000).to_integral_value(rounding="ROUND_FLOOR") * 1000
        realisation_record(
            entry=entry,
            realisation=ScheduleEntry.Realisation.DONE,
            cost_realised_idr=cost,
            note="",
            version=entry.version,
            by=by,
        )


@transaction.atomic
def demo_seed() -> None:
    """Load (or refresh) the demo RUKs and RPKs; idempotent."""
    hsu = District.objects.filter(code="63.08").first()
    planner = User.objects.filter(username="dinkes.hsu").first()
    if hsu is None or planner is None:
        return
    for index, puskesmas in enumerate(hsu.puskesmas.order_by("name")):
        head = _head(puskesmas)
        if head is None:
            continue
        plan = _next_year_ruk(puskesmas, head, index)
        # Danau Panggang's head demonstrates the RUK still open to add from gaps and RTL.
        if not puskesmas.name.endswith("Danau Panggang"):
            _review(plan, head, planner, index)
        this_year = _this_year_rpk(puskesmas, head, planner, index)
        if this_year.is_approved:
            _realise(this_year, head)
    _dinkes_plan(planner, next_plan_year())
    dinkes = _dinkes_plan(planner, timezone.localdate().year)
    if not ScheduleEntry.objects.filter(activity__plan=dinkes).exists():
        _schedule(dinkes, planner, location="Dinas Kesehatan dan puskesmas se-kabupaten")
    _realise(dinkes, planner)

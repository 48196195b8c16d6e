"""Demo four stages worksheets: Hulu Sungai Utara's maternal services (pregnant women,
deliveries, newborns) for the demo year, all four stages filled, through the same services the
pages use. Runs after the indicators (targets, quarters, quality reports), workshops and
planning demos; idempotent: a worksheet that already has its regional-plan lines is left as
it is.

- (1) opened pre-filled from the data; the services partners deliver beyond the puskesmas;
- (2) a need per gap of the latest approved quality reports at the standard unit cost, with the
  district's own price where the standard has none (staff), the fiscal capacity;
- (3) the strategies, and the year's plan activities linked to the goods and equipment needs
  they answer (an
  activity is added to the Dinkes plan of the year when no plan of the year has one for the
  service);
- (4) where the service sits in the RPJMD, the Dinkes Renstra, the RKPD and the Renja.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from indicators.models import QualityItem, SPMService
from kernel.models import District, FundingSource, User
from planning.models import Activity
from planning.services import activity_create, plan_create

from ..models import IntegrationLine, StageSheet
from ..models.stages import StageStatus
from ..selectors.stages import service_number_of, stage_services, year_activities
from .stages import integration_save, need_save, stage_sheet_open, stage_sheet_save

DONE, IN_PROGRESS = StageStatus.DONE, StageStatus.IN_PROGRESS
F = FundingSource

# The district's own yearly prices where the standard gives no unit cost (a contract midwife,
# a doctor's share of a year): unverified examples.
LOCAL_COSTS = {
    "bidan-desa": 54_000_000,
    "dokter": 96_000_000,
    "tenaga-gizi": 48_000_000,
    "atlm": 48_000_000,
    "perawat": 48_000_000,
    "kunjungan-anc": 25_000,
    "kunjungan-nifas": 25_000,
    "kunjungan-neonatal": 25_000,
    "persalinan-faskes": 700_000,
    "ruang-bersalin": 150_000_000,
    "ambulans": 450_000_000,
}

# Service number -> what the district writes on the sheet.
SHEETS = {
    1: {
        "partner_services": (
            "RSUD Pambalah Batung: USG dan penanganan ibu hamil risiko tinggi rujukan. "
            "Bidan praktik mandiri di Amuntai dan Alabio melayani ANC sesuai standar "
            "(dilaporkan melalui puskesmas). TP-PKK dan kader mendampingi kelas ibu hamil."
        ),
        "data_notes": (
            "Sasaran dari estimasi Dinkes (1,1 x CBR x penduduk) dan register kohort ibu; "
            "ibu hamil di desa rawa yang belum terdata dicari lewat kader desa."
        ),
        "fiscal_capacity_idr": Decimal(350_000_000),
        "needs_notes": (
            "Kekurangan terbesar: USG di puskesmas dan bidan di desa tanpa bidan; buku KIA dan "
            "tablet tambah darah dipenuhi dari DAK non-fisik (BOK)."
        ),
        "financing": StageSheet.Financing.BOTH,
        "delivery": StageSheet.Delivery.FREE,
        "planning_notes": (
            "Pelayanan gratis di puskesmas dan jaringannya; USG rujukan dikerjasamakan dengan "
            "RSUD sampai puskesmas memiliki alat."
        ),
    },
    2: {
        "partner_services": (
            "RSUD Pambalah Batung (PONEK) menerima rujukan persalinan; rumah tunggu kelahiran "
            "dikelola pemerintah desa dengan Dana Desa; ambulans desa untuk rujukan."
        ),
        "data_notes": "Sasaran ibu bersalin dari estimasi 1,05 x CBR x penduduk.",
        "fiscal_capacity_idr": Decimal(600_000_000),
        "needs_notes": "Partus set dan ruang bersalin di puskesmas non-rawat inap.",
        "financing": StageSheet.Financing.BOTH,
        "delivery": StageSheet.Delivery.BOTH,
        "planning_notes": (
            "Persalinan gratis di fasilitas kesehatan (JKN dan Jampersal); bantuan transport "
            "rujukan dan rumah tunggu bagi ibu dari desa terpencil."
        ),
    },
    3: {
        "partner_services": "Bidan praktik mandiri melakukan kunjungan neonatal KN1.",
        "data_notes": "Sasaran bayi baru lahir = CBR x penduduk.",
        "fiscal_capacity_idr": Decimal(150_000_000),
        "needs_notes": "Set resusitasi bayi dan skrining hipotiroid kongenital (SHK).",
        "financing": StageSheet.Financing.OWN,
        "delivery": StageSheet.Delivery.FREE,
        "planning_notes": "Kunjungan neonatal lengkap oleh bidan desa, gratis.",
    },
}

# Service number -> how far each of the four stages got.
STATUSES = {
    1: (DONE, DONE, DONE, DONE),
    2: (DONE, DONE, DONE, DONE),
    3: (DONE, DONE, DONE, IN_PROGRESS),
}

# Service number -> the Dinkes plan activity added when the year's plans have none for it.
ACTIVITIES = {
    1: ("Pengadaan buku KIA dan tablet tambah darah bagi ibu hamil", F.BOK, 95_000_000),
    2: (
        "Pengadaan partus set dan pendampingan rumah tunggu kelahiran",
        F.DAK_PHYSICAL,
        180_000_000,
    ),
    3: ("Pengadaan set resusitasi bayi dan skrining hipotiroid kongenital", F.BOK, 75_000_000),
}

# Service number -> (document, chapter, program, budget or None); {year} and {code} are filled.
INTEGRATIONS = {
    1: [
        ("rpjmd", "Bab VI Strategi dan Arah Kebijakan",
         "Indikator: persentase ibu hamil mendapatkan pelayanan kesehatan sesuai standar", None),
        ("renstra", "Bab V Rencana Program, Kegiatan dan Pendanaan",
         "Program Pemenuhan Upaya Kesehatan Perorangan dan Upaya Kesehatan Masyarakat", None),
        ("rkpd", "Bab V Rencana Kerja dan Pendanaan Daerah {year}",
         "Sub kegiatan {code} Pengelolaan Pelayanan Kesehatan Ibu Hamil", 420_000_000),
        ("renja", "Bab III Tujuan, Sasaran, Program dan Kegiatan",
         "Sub kegiatan {code} Pengelolaan Pelayanan Kesehatan Ibu Hamil", 380_000_000),
    ],
    2: [
        ("rpjmd", "Bab VI Strategi dan Arah Kebijakan",
         "Indikator: persentase ibu bersalin mendapatkan pelayanan sesuai standar", None),
        ("renstra", "Bab V Rencana Program, Kegiatan dan Pendanaan",
         "Program Pemenuhan Upaya Kesehatan Perorangan dan Upaya Kesehatan Masyarakat", None),
        ("rkpd", "Bab V Rencana Kerja dan Pendanaan Daerah {year}",
         "Sub kegiatan {code} Pengelolaan Pelayanan Kesehatan Ibu Bersalin", 610_000_000),
        ("renja", "Bab III Tujuan, Sasaran, Program dan Kegiatan",
         "Sub kegiatan {code} Pengelolaan Pelayanan Kesehatan Ibu Bersalin", 560_000_000),
    ],
    3: [
        ("rpjmd", "Bab VI Strategi dan Arah Kebijakan",
         "Indikator: persentase bayi baru lahir mendapatkan pelayanan sesuai standar", None),
        ("renstra", "Bab V Rencana Program, Kegiatan dan Pendanaan",
         "Program Pemenuhan Upaya Kesehatan Perorangan dan Upaya Kesehatan Masyarakat", None),
        ("rkpd", "Bab V Rencana Kerja dan Pendanaan Daerah {year}",
         "Sub kegiatan {code} Pengelolaan Pelayanan Kesehatan Bayi Baru Lahir", 160_000_000),
    ],
}  # fmt: skip


def _activities(
    *, planner: User, district: District, year: int, service: SPMService
) -> list[Activity]:
    """The year's plan activities tied to the service; one added to the Dinkes plan of the
    year when there is none."""
    found = [
        activity
        for activity in year_activities(user=planner, district=district, year=year)
        if service_number_of(activity) == service.number
    ]
    if found or service.number not in ACTIVITIES:
        return found
    name, source, budget = ACTIVITIES[service.number]
    plan = plan_create(year=year, by=planner)
    activity = activity_create(
        plan=plan,
        fields={
            "effort": "Dinas Kesehatan",
            "name": name,
            "goal": "Menutup kekurangan mutu SPM " + service.label,
            "target_group": service.denominator_id[:200],
            "target": "Seluruh puskesmas",
            "responsible": "Kepala Bidang Kesehatan Masyarakat",
            "timing": "Februari-November",
            "budget_idr": Decimal(budget),
            "indicator": service.numerator_id[:300],
            "funding_source": source,
            "service": service,
            "sub_activity": None,
        },
        by=planner,
    )
    return [activity]


def _fill(sheet: StageSheet, *, activities: list[Activity], planner: User) -> None:
    for need in sheet.needs.select_related("item").order_by("order", "pk"):
        code = need.item.code if need.item is not None else ""
        if not need.unit_cost_idr and code in LOCAL_COSTS:
            need.unit_cost_idr = Decimal(LOCAL_COSTS[code])
        # The plans answer the goods and equipment gaps; staff gaps stay open (a district
        # recruits through its civil service plan, outside the health plans).
        answered = activities if need.kind != QualityItem.Kind.STAFF else []
        need_save(need=need, by=planner, version=need.version, activities=answered)
    written = SHEETS[sheet.service.number]
    statuses = dict(
        zip(
            ("data_status", "needs_status", "plan_status", "integration_status"),
            STATUSES[sheet.service.number],
            strict=True,
        )
    )
    stage_sheet_save(sheet=sheet, fields={**written, **statuses}, version=sheet.version, by=planner)
    for document, chapter, program, budget in INTEGRATIONS[sheet.service.number]:
        values = {"year": sheet.year, "code": sheet.service.budget_code or sheet.service.code}
        integration_save(
            line=IntegrationLine(
                sheet=sheet,
                document=document,
                chapter=chapter.format(**values),
                program=program.format(**values),
                budget_idr=Decimal(budget) if budget is not None else None,
            ),
            by=planner,
        )


@transaction.atomic
def demo_stages() -> None:
    """Hulu Sungai Utara's worksheets of the maternal services for the demo year; idempotent."""
    district = District.objects.filter(code="63.08").first()
    planner = User.objects.filter(username="dinkes.hsu").first()
    if district is None or planner is None:
        return
    year = timezone.localdate().year
    services = {service.number: service for service in stage_services(year=year)}
    for number in SHEETS:
        service = services.get(number)
        if service is None:
            continue
        sheet = stage_sheet_open(district=district, service=service, year=year, by=planner)
        if sheet.integrations.exists():
            continue  # filled by an earlier run (each run is atomic)
        activities = _activities(planner=planner, district=district, year=year, service=service)
        _fill(sheet, activities=activities, planner=planner)

"""Time the meeting and planning pages of one big district's year: the district planner's boards
and compilations, and a puskesmas head's latest quarterly lokmin and RUK.

Builds in a scratch PostgreSQL database `simpul_bench_meetings` (created and migrated if needed;
its data is deleted and rebuilt on every run) a district of 60 puskesmas (a kecamatan and 15 desa
each), 20 partner organisations and a year of lokmin per puskesmas (12 monthly, 4 quarterly, held
or closed, each with ~25 participants, 5 USG-scored problems, 10 RTL items, 5 commitments and
3 Musrenbang proposals, a third of the items moved on by status updates), 4 district forums, this
year's approved monthly SPM data and its quarters, and next year's RUK of every puskesmas (30
activities each, scheduled in the RPK where approved). A district of 2 puskesmas built the same
way gives each page's query count on a small area. Rows are loaded with `bulk_create`, not through
the services (only the quarters' achievement comes from `quarter_aggregate`, as the Celery job
computes it). Then it times each page and the follow-up board's .xlsx export with Django's test
client (DEBUG off): p50, p95 and query count, against a p95 target of 150 ms per page; for a page
over target, past half of it or whose queries grow, it prints the slowest queries, the plan of the
slowest and a Python profile of one request. It asserts nothing about time.

How to run it and what it measured: bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import os
import pstats
import random
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

os.environ["DEBUG"] = "0"  # as in production: no log of every query kept in memory

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

# region_import sets up Django (DJANGO_SETTINGS_MODULE defaults to config.settings.dev).
from region_import import (  # noqa: E402
    describe_database,
    ensure_postgres_database,
    migrate_if_needed,
    use_database,
)

from indicators.models import (  # noqa: E402
    Achievement,
    AgeBand,
    EstimateRule,
    IndexBand,
    IndexWeight,
    Level,
    MonthlyReport,
    MonthlyValue,
    ReportingYear,
    SPMEdition,
    SPMService,
    Target,
)
from indicators.reporting import monthly_services, reporting_year  # noqa: E402
from indicators.selectors.dashboards import dashboard_period  # noqa: E402
from indicators.services.aggregation import quarter_aggregate  # noqa: E402
from kernel.audit import record_many  # noqa: E402
from kernel.models import (  # noqa: E402
    AuditEvent,
    District,
    FundingSource,
    HealthOffice,
    PartnerOrganisation,
    Province,
    Puskesmas,
    RegionPopulation,
    Subdistrict,
    User,
    Village,
)
from planning.models import (  # noqa: E402
    Activity,
    BudgetSubActivity,
    Plan,
    ScheduleEntry,
)
from planning.selectors import next_plan_year  # noqa: E402
from workshops.models import (  # noqa: E402
    HEALTH_SECTOR,
    Commitment,
    FollowUp,
    ManagementScoreBand,
    Meeting,
    MusrenbangProposal,
    Participant,
    Problem,
    StatusUpdate,
    Tracked,
)
from workshops.priority import METHODS  # noqa: E402
from workshops.selectors.followups import open_items_for  # noqa: E402

SCRATCH_DATABASE = "simpul_bench_meetings"
WARM_UP = 3
REQUESTS = 30
TARGET_MS = 150.0
USER_PREFIX = "bench-meetings-"
BATCH = 2000
# Rows that migrations load (the SPM catalogue, bands, budget codes): kept; everything else goes.
CATALOGUE = {
    AgeBand,
    BudgetSubActivity,
    EstimateRule,
    IndexBand,
    IndexWeight,
    ManagementScoreBand,
    RegionPopulation,
    ReportingYear,
    SPMEdition,
    SPMService,
}

Kind, MeetingStatus, ItemStatus = Meeting.Kind, Meeting.Status, Tracked.Status
Outcome = MusrenbangProposal.Outcome
USG = METHODS["usg"]

# Share of a desa's people in each service's target group, by SPM number (order of magnitude).
TARGET_RATES = {
    1: 0.018,
    2: 0.0172,
    3: 0.0164,
    4: 0.085,
    5: 0.16,
    6: 0.66,
    7: 0.11,
    8: 0.22,
    9: 0.08,
    10: 0.0018,
    11: 0.0065,
    12: 0.01,
}
PARTNERS = [  # (name, short name, sector, kecamatan level)
    ("Badan Perencanaan Pembangunan Daerah", "Bappeda", "planning", False),
    ("Sekretariat Daerah Bagian Kesra", "Setda Kesra", "setda", False),
    ("Dinas Sosial", "Dinsos", "social", False),
    ("Dinas Pengendalian Penduduk dan KB", "DP2KB", "family_planning", False),
    ("Dinas Pemberdayaan Perempuan dan Perlindungan Anak", "DP3A", "women_children", False),
    ("Dinas Pendidikan", "Disdik", "education", False),
    ("Kantor Kementerian Agama", "Kemenag", "religious", False),
    ("Dinas Kependudukan dan Pencatatan Sipil", "Dukcapil", "civil_registry", False),
    ("Dinas Pekerjaan Umum dan Perumahan Rakyat", "PUPR", "public_works", False),
    ("Tim Penggerak PKK Kabupaten", "TP-PKK", "pkk", False),
    ("Kepolisian Resor", "Polres", "police", False),
    ("Komando Distrik Militer", "Kodim", "military", False),
    ("Dinas Pertanian", "Distan", "agriculture", False),
    ("Palang Merah Indonesia", "PMI", "community", False),
    ("Kantor Camat", "Camat", "subdistrict", True),
    ("Kepolisian Sektor", "Polsek", "police", True),
    ("Komando Rayon Militer", "Koramil", "military", True),
    ("Kantor Urusan Agama", "KUA", "religious", True),
    ("Tim Penggerak PKK Kecamatan", "PKK Kec.", "pkk", True),
    ("Unit Pelaksana Teknis Pendidikan", "UPT Pendidikan", "education", True),
]
PROBLEMS = [
    "Cakupan {service} di bawah target",
    "Data sasaran {service} belum padan dengan Dukcapil",
    "Kunjungan {service} menurun dibanding triwulan lalu",
    "Pencatatan {service} di posyandu belum lengkap",
    "Akses {service} di desa terpencil sulit",
]
RTL = [
    "Sweeping sasaran {service} bersama kader",
    "Pemadanan data sasaran dengan Dukcapil",
    "Kunjungan rumah oleh bidan desa",
    "Penyuluhan di posyandu dan majelis taklim",
    "Pelatihan pencatatan untuk kader",
    "Koordinasi jadwal pelayanan dengan desa",
    "Pengadaan formulir dan buku register",
    "Pelayanan keliling ke dusun terpencil",
    "Rapat evaluasi bulanan lintas program",
    "Pendampingan oleh Dinkes",
]
EFFORTS = ["KIA-KB", "Gizi", "P2P", "Promkes", "Kesling", "UKP"]
FUNDING = [
    FundingSource.BOK,
    FundingSource.JKN,
    FundingSource.APBD,
    FundingSource.BLUD,
    FundingSource.VILLAGE_FUND,
]
MONTH_NAMES = (
    "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"
)


def rule(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 96 - len(title)))


def load() -> str:
    return ", ".join(f"{value:.1f}" for value in os.getloadavg()) + " (1, 5, 15 min)"


def quoted(table: str) -> str:
    return connection.ops.quote_name(table)


@contextmanager
def timed(label: str):
    box = {"rows": None}
    started = time.perf_counter()
    yield box
    seconds = time.perf_counter() - started
    rows = f"{box['rows']:,}" if box["rows"] is not None else ""
    print(f"  {label:<56} {rows:>10} {seconds:>8.2f}")


def bulk(model, objects: list) -> list:
    return model.objects.bulk_create(objects, batch_size=BATCH)


# --- Scratch database ---------------------------------------------------------------------------


def prepare_database() -> None:
    """Work in a scratch database of its own on DATABASE_URL's server; never in DATABASE_URL's."""
    if connection.vendor != "postgresql":
        sys.exit("DATABASE_URL must name a PostgreSQL server: the figures that matter are its.")
    ensure_postgres_database(SCRATCH_DATABASE)
    use_database(SCRATCH_DATABASE)
    migrate_if_needed(force=True)  # a no-op when up to date; new migrations land here too
    clear_data()


def clear_data() -> None:
    """Empty every table but the catalogue that migrations load. TRUNCATE without CASCADE:
    PostgreSQL refuses, rather than empties a catalogue table, if one points at these rows."""
    tables = [
        model._meta.db_table
        for app in ("indicators", "workshops", "planning")
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
        if model not in CATALOGUE and model not in (Province, District)
    ]
    existing = set(connection.introspection.table_names())
    tables += [name for name in ("django_admin_log", "django_session") if name in existing]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(quoted(t) for t in tables)}")
        # EstimateRule may point at a district: delete (checked) rather than truncate these two.
        cursor.execute(f"DELETE FROM {quoted(District._meta.db_table)}")
        cursor.execute(f"DELETE FROM {quoted(Province._meta.db_table)}")


# --- The world ----------------------------------------------------------------------------------


def working_day(day: datetime.date) -> datetime.date:
    """The day itself, or the Monday after a weekend."""
    return day + datetime.timedelta(days=7 - day.weekday() if day.weekday() >= 5 else 0)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def meeting_months(today: datetime.date) -> list[tuple[int, int]]:
    """The twelve months of lokmin up to this month (or last month early in the month, so no
    meeting of the year lies in the future)."""
    year, month = today.year, today.month
    if today.day < 18:  # a quarterly lokmin falls on the 15th or the next working day
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    months = []
    for _ in range(12):
        months.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


@dataclass
class World:
    """One district as built: what the timed pages need."""

    district: District
    puskesmas_list: list[Puskesmas]
    planner: User
    heads: dict[int, User]
    latest_quarterly: dict[int, Meeting] = field(default_factory=dict)
    plans: dict[int, Plan] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)

    @property
    def head(self) -> User:
        return self.heads[self.puskesmas_list[0].pk]

    @property
    def lokmin(self) -> Meeting:
        return self.latest_quarterly[self.puskesmas_list[0].pk]

    @property
    def plan(self) -> Plan:
        return self.plans[self.puskesmas_list[0].pk]


class Builder:
    """Builds a district with `bulk_create` (no services, no history rows: simple_history
    records through signals, which bulk writes skip)."""

    def __init__(self, *, today: datetime.date, seed: int) -> None:
        self.today = today
        self.now = timezone.now()
        self.rng = random.Random(seed)
        self.months = meeting_months(today)
        self.province = Province.objects.create(code="63", name="Kalimantan Selatan")
        # The SPM data the latest quarterly lokmin reviews: its year, through the month before.
        last = self.quarterly_day(*[m for m in self.months if m[1] % 3 == 2][-1])
        first_of_month = last.replace(day=1)
        reviewed = first_of_month - datetime.timedelta(days=1)
        self.data_year, self.data_month = reviewed.year, reviewed.month
        self.services = monthly_services(self.data_year)
        # Approved months to load: the reviewed year through the reviewed month, and the whole
        # year before when that leaves no complete quarter for the gaps (a run in Feb-May).
        self.spm_periods = [(self.data_year, self.data_month)]
        if self.data_month < 3:
            self.spm_periods.insert(0, (self.data_year - 1, 12))
        self.gap_year, last = self.spm_periods[-1] if self.data_month >= 3 else self.spm_periods[0]
        self.gap_quarter = last // 3
        self.gap_services = monthly_services(self.gap_year)
        self.plan_year = next_plan_year(today)
        codes = list(BudgetSubActivity.objects.filter(is_active=True).order_by("order", "code"))
        self.codes = {code.spm_number: code for code in codes if code.spm_number}
        self.other_code = next((code for code in codes if code.spm_number is None), None)
        self.villages: dict[int, list[Village]] = defaultdict(list)
        self.follow_ups_of: dict[int, list[FollowUp]] = defaultdict(list)
        self.proposals_of_puskesmas: dict[int | None, list] = defaultdict(list)

    @staticmethod
    def monthly_day(year: int, month: int) -> datetime.date:
        return working_day(datetime.date(year, month, 8))

    @staticmethod
    def quarterly_day(year: int, month: int) -> datetime.date:
        """ILP: quarterly lokmin in the middle month of each quarter (DOMAIN.md §3)."""
        return working_day(datetime.date(year, month, 15))

    # --- areas and people

    def areas(self, *, code: str, name: str, puskesmas_count: int, villages_each: int) -> World:
        district = District.objects.create(province=self.province, code=code, name=name)
        HealthOffice.objects.create(district=district, name=f"Dinas Kesehatan {name}")
        # One kecamatan per puskesmas; past 99 (two-digit kecamatan codes) they share.
        subdistricts = bulk(
            Subdistrict,
            [
                Subdistrict(
                    district=district, code=f"{code}.{i + 1:02d}", name=f"Kecamatan {i + 1}"
                )
                for i in range(min(puskesmas_count, 99))
            ],
        )
        puskesmas_list = bulk(
            Puskesmas,
            [
                Puskesmas(
                    district=district,
                    subdistrict=subdistricts[i % len(subdistricts)],
                    code=f"P{code.replace('.', '')}{i + 1:05d}",
                    name=f"Puskesmas {name} {i + 1:02d}",
                    is_inpatient=i % 4 == 0,
                )
                for i in range(puskesmas_count)
            ],
        )
        villages = bulk(
            Village,
            [
                Village(
                    subdistrict=p.subdistrict,
                    puskesmas=p,
                    code=f"{p.subdistrict.code}.{number}",
                    name=f"Desa {p.subdistrict.code}.{number}",
                )
                for i, p in enumerate(puskesmas_list)
                for number in range(
                    2001 + i // len(subdistricts) * villages_each,
                    2001 + (i // len(subdistricts) + 1) * villages_each,
                )
            ],
        )
        for village in villages:
            self.villages[village.puskesmas_id].append(village)
        password = make_password(None)  # unusable: the bench logs in with force_login
        planner = User.objects.create(
            username=f"{USER_PREFIX}{code}-planner",
            password=password,
            role=User.Role.DISTRICT_PLANNER,
            district=district,
            first_name="Perencana",
            last_name=name,
        )
        heads = bulk(
            User,
            [
                User(
                    username=f"{USER_PREFIX}{code}-head-{i + 1:02d}",
                    password=password,
                    role=User.Role.PUSKESMAS_HEAD,
                    puskesmas=p,
                    first_name="Kepala",
                    last_name=p.name,
                    position="Kepala Puskesmas",
                )
                for i, p in enumerate(puskesmas_list)
            ],
        )
        world = World(district, puskesmas_list, planner, {u.puskesmas_id: u for u in heads})
        world.counts.update(
            {
                "kecamatan": len(subdistricts),
                "puskesmas": len(puskesmas_list),
                "desa": len(villages),
            }
        )
        return world

    def partners(self, world: World, count: int) -> None:
        subdistricts = [p.subdistrict for p in world.puskesmas_list]
        rows = []
        for i in range(count):
            name, short, sector, local = PARTNERS[i % len(PARTNERS)]
            subdistrict = subdistricts[i % len(subdistricts)] if local else None
            suffix = f" {subdistrict.name}" if subdistrict else ""
            if i >= len(PARTNERS):  # names are unique in a district
                suffix += f" ({i // len(PARTNERS) + 1})"
            rows.append(
                PartnerOrganisation(
                    district=world.district,
                    subdistrict=subdistrict,
                    name=f"{name}{suffix}",
                    short_name=short,
                    sector=sector,
                    contact_name=f"Kontak {short}",
                    phone=f"0812{self.rng.randrange(10**7, 10**8)}",
                )
            )
        self.partner_list = bulk(PartnerOrganisation, rows)
        world.counts["partner organisations"] = len(rows)

    def partners_of(self, puskesmas: Puskesmas | None) -> list[PartnerOrganisation]:
        """District-level partners and those of the puskesmas's kecamatan (all for a forum)."""
        if puskesmas is None:
            return self.partner_list
        return [
            p for p in self.partner_list if p.subdistrict_id in (None, puskesmas.subdistrict_id)
        ]

    # --- SPM data

    def spm_data(self, world: World) -> None:
        """Targets of record and approved monthly reports of each period (January to its last
        month)."""
        for year, last_month in self.spm_periods:
            self.spm_year(world, year, last_month)

    def spm_year(self, world: World, year: int, last_month: int) -> None:
        setup, services = reporting_year(year), monthly_services(year)
        targets, served = [], {}
        for puskesmas in world.puskesmas_list:
            for village in self.villages[puskesmas.pk]:
                people = self.rng.randint(800, 4000)
                for service in services:
                    value = max(1, round(people * TARGET_RATES.get(service.number, 0.01)))
                    served[village.pk, service.pk] = value
                    targets.append(
                        Target(
                            village=village,
                            year=year,
                            service=service,
                            source=Target.Source.ESTIMATE,
                            value=value,
                            is_of_record=True,
                        )
                    )
        bulk(Target, targets)
        reports = []
        for puskesmas in world.puskesmas_list:
            head = world.heads[puskesmas.pk]
            for month in range(1, last_month + 1):
                due = setup.due_on(month)
                submitted = at(due - datetime.timedelta(days=self.rng.randint(-2, 6)), 9)
                reports.append(
                    MonthlyReport(
                        puskesmas=puskesmas,
                        year=year,
                        month=month,
                        status=MonthlyReport.Status.APPROVED,
                        due_on=due,
                        submitted_at=submitted,
                        submitted_by=head,
                        first_submitted_at=submitted,
                        decided_at=submitted + datetime.timedelta(days=3),
                        decided_by=world.planner,
                    )
                )
        reports = bulk(MonthlyReport, reports)
        values = [
            MonthlyValue(
                report=report,
                village=village,
                service=service,
                # 55-110 % of the monthly pace: about half the services end up below pace
                value=served[village.pk, service.pk] * self.rng.randint(55, 110) // 1200,
            )
            for report in reports
            for village in self.villages[report.puskesmas_id]
            for service in services
        ]
        bulk(MonthlyValue, values)
        world.counts.update(
            {
                "targets": len(targets),
                "monthly reports": len(reports),
                "monthly values": len(values),
            }
        )

    # --- meetings

    def meetings(self, world: World) -> None:
        rng = self.rng
        planned = []  # (meeting, puskesmas or None)
        for puskesmas in world.puskesmas_list:
            head = world.heads[puskesmas.pk]
            for year, month in self.months:
                kinds = [Kind.MONTHLY_LOKMIN] + ([Kind.QUARTERLY_LOKMIN] if month % 3 == 2 else [])
                for kind in kinds:
                    monthly = kind == Kind.MONTHLY_LOKMIN
                    day = (
                        self.monthly_day(year, month)
                        if monthly
                        else self.quarterly_day(year, month)
                    )
                    label = "Lokakarya mini bulanan" if monthly else "Lokakarya mini lintas sektor"
                    planned.append(
                        (
                            Meeting(
                                kind=kind,
                                title=f"{label} {MONTH_NAMES.split()[month - 1]} {year}",
                                is_team_forming=monthly and month == 1,  # forms the team
                                province_id=world.district.province_id,
                                district=world.district,
                                puskesmas=puskesmas,
                                held_on=day,
                                starts_at=datetime.time(9),
                                ends_at=datetime.time(12, 30),
                                place=f"Aula {puskesmas.name}" if monthly else "Aula kecamatan",
                                chair_name=head.get_full_name()
                                if monthly
                                else f"Sekcam {puskesmas.subdistrict.name}",
                                chair_position="Kepala Puskesmas"
                                if monthly
                                else "Sekretaris Camat",
                                speaker="" if monthly else "Dinas Kesehatan",
                                agenda="Capaian SPM bulan lalu\nMasalah dan prioritas\nRTL",
                                minutes="Rapat membahas capaian SPM dan menyusun RTL.",
                                agreement_text="" if monthly else "Para pihak sepakat ...",
                                status=MeetingStatus.CLOSED,
                                created_by=head,
                            ),
                            puskesmas,
                        )
                    )
        for year, month in [m for m in self.months if m[1] % 3 == 2]:
            planned.append(
                (
                    Meeting(
                        kind=Kind.DISTRICT_FORUM,
                        title=f"Forum lintas sektor {MONTH_NAMES.split()[month - 1]} {year}",
                        province_id=world.district.province_id,
                        district=world.district,
                        held_on=working_day(datetime.date(year, month, 10)),
                        starts_at=datetime.time(8, 30),
                        ends_at=datetime.time(13),
                        place="Aula Bappeda",
                        chair_name="Sekretaris Daerah",
                        chair_position="Sekda",
                        speaker="Kepala Dinas Kesehatan",
                        agenda="Capaian SPM\nKomitmen lintas sektor",
                        status=MeetingStatus.CLOSED,
                        created_by=world.planner,
                    ),
                    None,
                )
            )
        # The latest meeting of each kind and owner is held, the earlier ones closed.
        by_owner = defaultdict(list)
        for meeting, puskesmas in planned:
            by_owner[puskesmas.pk if puskesmas else None, meeting.kind].append(meeting)
        for series in by_owner.values():
            series.sort(key=lambda m: m.held_on)
            series[-1].status = MeetingStatus.HELD
        meetings = bulk(Meeting, [m for m, _p in planned])
        self.next_meeting = {}
        for series in by_owner.values():
            for earlier, later in zip(series, series[1:], strict=False):
                self.next_meeting[earlier.pk] = later
        for (owner, kind), series in by_owner.items():
            if owner and kind == Kind.QUARTERLY_LOKMIN:
                world.latest_quarterly[owner] = series[-1]
        world.counts["meetings"] = len(meetings)
        world.counts["district forums"] = sum(1 for m in meetings if m.puskesmas_id is None)

        participants, problems = [], []
        for meeting, puskesmas in planned:
            participants += self.participants_of(meeting, puskesmas, world)
            problems += self.problems_of(meeting, puskesmas)
        bulk(Participant, participants)
        problems = bulk(Problem, problems)
        world.counts.update({"participants": len(participants), "problems": len(problems)})
        problems_of = defaultdict(list)
        for problem in problems:
            problems_of[problem.meeting_id].append(problem)

        follow_ups, commitments, proposals = [], [], []
        for meeting, puskesmas in planned:
            by = world.heads[puskesmas.pk] if puskesmas else world.planner
            partners = self.partners_of(puskesmas)
            mine = problems_of[meeting.pk]
            for k in range(10):
                partner = partners[rng.randrange(len(partners))] if k % 3 == 2 else None
                problem = mine[k // 2]
                follow_ups.append(
                    FollowUp(
                        meeting=meeting,
                        problem=problem,
                        activity=RTL[k].format(service=problem.service.name_id[:60]),
                        goal="Cakupan naik sesuai target bulanan",
                        target_group="Sasaran di desa prioritas",
                        target="100 % sasaran terdata",
                        responsible="Bidan koordinator" if k % 2 else "Pengelola program",
                        sector=partner.sector if partner else HEALTH_SECTOR,
                        partner=partner,
                        cost_idr=rng.randrange(10, 300) * 50_000,
                        funding_source=FUNDING[k % len(FUNDING)],
                        success_indicator="Laporan kegiatan dan daftar hadir",
                        due_on=meeting.held_on + datetime.timedelta(days=rng.choice((14, 30, 60))),
                        created_by=by,
                    )
                )
            for k in range(5):
                partner = partners[(k * 7 + meeting.pk) % len(partners)]
                commitments.append(
                    Commitment(
                        meeting=meeting,
                        partner=partner,
                        party=partner.name,
                        sector=partner.sector,
                        description=f"{partner.short_name} mendukung {RTL[k * 2].lower()}",
                        signatory_name=f"Pimpinan {partner.short_name}",
                        signatory_position="Kepala",
                        due_on=meeting.held_on + datetime.timedelta(days=rng.choice((30, 60, 90))),
                        created_by=by,
                    )
                )
            proposals += self.proposals_of(meeting, puskesmas, world, by)
        self.track(follow_ups + commitments, world)
        follow_ups = bulk(FollowUp, follow_ups)
        commitments = bulk(Commitment, commitments)
        proposals = bulk(MusrenbangProposal, proposals)
        updates = [
            StatusUpdate(**{key: item}, **change)
            for items, key in ((follow_ups, "follow_up"), (commitments, "commitment"))
            for item in items
            for change in item.bench_history
        ]
        bulk(StatusUpdate, updates)
        for item in follow_ups:
            if item.meeting.kind == Kind.QUARTERLY_LOKMIN:
                self.follow_ups_of[item.meeting.puskesmas_id].append(item)
        for proposal in proposals:
            self.proposals_of_puskesmas[proposal.meeting.puskesmas_id].append(proposal)
        world.counts.update(
            {
                "RTL items": len(follow_ups),
                "commitments": len(commitments),
                "Musrenbang proposals": len(proposals),
                "status updates": len(updates),
                "items moved on": sum(1 for i in [*follow_ups, *commitments] if i.bench_history),
            }
        )

    def participants_of(self, meeting: Meeting, puskesmas, world: World) -> list[Participant]:
        rng = self.rng
        if puskesmas is None:  # a forum: the Dinkes, every partner, some puskesmas heads
            people = [(world.planner.get_full_name(), "Perencana", "Dinas Kesehatan", None, None)]
            people += [(p.contact_name, "Utusan", p.name, p, None) for p in self.partner_list]
            people += [
                (u.get_full_name(), "Kepala Puskesmas", "Puskesmas", None, u)
                for u in list(world.heads.values())[:18]
            ]
        else:
            head = world.heads[puskesmas.pk]
            people = [(head.get_full_name(), "Kepala Puskesmas", puskesmas.name, None, head)]
            people += [
                (f"Staf {i}", "Pengelola program", puskesmas.name, None, None) for i in range(5)
            ]
            people += [
                (p.contact_name, "Utusan", p.name, p, None) for p in self.partners_of(puskesmas)
            ]
            for village in self.villages[puskesmas.pk]:
                people.append(
                    (f"Kades {village.name}", "Kepala desa", village.name, "village", None)
                )
            people = people[: 23 + rng.randrange(5)]
        rows = []
        for order, (name, position, organisation, partner, user) in enumerate(people, start=1):
            sector = (
                "village" if partner == "village" else partner.sector if partner else HEALTH_SECTOR
            )
            rows.append(
                Participant(
                    meeting=meeting,
                    name=name,
                    position=position,
                    organisation=organisation,
                    sector=sector,
                    partner=partner if isinstance(partner, PartnerOrganisation) else None,
                    user=user,
                    phone=f"0813{rng.randrange(10**7, 10**8)}",
                    attended=rng.random() < 0.9,
                    signs_agreement=meeting.kind != Kind.MONTHLY_LOKMIN and partner is not None,
                    order=order,
                )
            )
        return rows

    def problems_of(self, meeting: Meeting, puskesmas) -> list[Problem]:
        rng = self.rng
        rows = []
        for k in range(5):
            service = self.services[rng.randrange(len(self.services))]
            scores = {"u": rng.randint(1, 5), "s": rng.randint(1, 5), "g": rng.randint(1, 5)}
            villages = self.villages[puskesmas.pk] if puskesmas else []
            rows.append(
                Problem(
                    meeting=meeting,
                    statement=PROBLEMS[k].format(service=service.name_id[:120]),
                    evidence="Capaian s.d. bulan lalu di bawah laju yang diharapkan",
                    service=service,
                    village=villages[rng.randrange(len(villages))] if villages else None,
                    scores=scores,
                    priority_score=USG.score(scores),
                )
            )
        for order, problem in enumerate(sorted(rows, key=lambda p: -p.priority_score), start=1):
            problem.order = order
        return rows

    def proposals_of(self, meeting: Meeting, puskesmas, world: World, by) -> list:
        rng = self.rng
        old = (self.today - meeting.held_on).days > 90
        rows = []
        for k in range(3):
            if puskesmas:
                subdistrict, villages = puskesmas.subdistrict, self.villages[puskesmas.pk]
            else:
                subdistrict = world.puskesmas_list[
                    rng.randrange(len(world.puskesmas_list))
                ].subdistrict
                villages = []
            outcome = rng.choice(list(Outcome.values)) if old else Outcome.PENDING
            decided = outcome != Outcome.PENDING
            service = self.services[rng.randrange(len(self.services))]
            rows.append(
                MusrenbangProposal(
                    meeting=meeting,
                    subdistrict=subdistrict,
                    village=villages[rng.randrange(len(villages))] if villages else None,
                    title=f"Usulan {k + 1}: sarana {service.name_id[:80]}",
                    description="Diusulkan karena capaian rendah dan akses sulit.",
                    service=service,
                    volume=f"{rng.randint(1, 6)} paket",
                    estimated_cost_idr=rng.randrange(10, 300) * 500_000,
                    priority=k + 1,
                    outcome=outcome,
                    funding_source=FundingSource.APBD if outcome == Outcome.FUNDED else "",
                    budget_year=meeting.held_on.year + 1 if outcome == Outcome.FUNDED else None,
                    outcome_note="Hasil Musrenbang kecamatan" if decided else "",
                    outcome_at=at(meeting.held_on + datetime.timedelta(days=60))
                    if decided
                    else None,
                    outcome_by=world.planner if decided else None,
                    created_by=by,
                )
            )
        return rows

    def track(self, items: list, world: World) -> None:
        """Move a third of the items on: in progress ten days after their meeting, then (more
        than half of those) done or dropped at the next meeting of the same kind, which reviews
        them. Each item keeps the status of its last change; `bench_history` holds the changes."""
        rng = self.rng
        for item in items:
            item.bench_history = []
            started = at(item.meeting.held_on + datetime.timedelta(days=10), 11)
            if rng.random() >= 1 / 3 or started > self.now:
                continue
            puskesmas_id = item.meeting.puskesmas_id
            by = world.heads[puskesmas_id] if puskesmas_id else world.planner
            changes = [(ItemStatus.IN_PROGRESS, "", started, None)]
            later = self.next_meeting.get(item.meeting.pk)
            if later is not None and rng.random() < 0.6:
                done = rng.random() < 0.7
                changes.append(
                    (
                        ItemStatus.DONE if done else ItemStatus.DROPPED,
                        "Laporan kegiatan dan foto" if done else "Dialihkan ke anggaran desa",
                        at(later.held_on, 12),
                        later,
                    )
                )
            old = ItemStatus.PLANNED
            for status, note, when, reviewed_in in changes:
                item.bench_history.append(
                    {
                        "old_status": old,
                        "new_status": status,
                        "note": note,
                        "at": when,
                        "by": by,
                        "reviewed_in": reviewed_in,
                    }
                )
                old = status
            item.status, item.status_note, item.status_changed_at = changes[-1][:3]
            item.status_changed_by = by

    # --- planning

    def plans(self, world: World, *, gaps: dict) -> None:
        """Next year's RUK of every puskesmas: 30 activities from SPM gaps, RTL items,
        Musrenbang proposals and by hand; approved ones scheduled in the RPK."""
        rng = self.rng
        statuses = [Plan.Status.APPROVED] * 3 + [
            Plan.Status.SUBMITTED,
            Plan.Status.DRAFT,
            Plan.Status.RETURNED,
        ]
        plans = []
        for i, puskesmas in enumerate(world.puskesmas_list):
            status = statuses[i % len(statuses)]
            head = world.heads[puskesmas.pk]
            sent = status != Plan.Status.DRAFT
            decided = status in (Plan.Status.APPROVED, Plan.Status.RETURNED)
            plans.append(
                Plan(
                    district=world.district,
                    puskesmas=puskesmas,
                    year=self.plan_year,
                    status=status,
                    return_reason="Anggaran melebihi pagu"
                    if status == Plan.Status.RETURNED
                    else "",
                    version=rng.randint(3, 40),
                    created_by=head,
                    submitted_at=self.now - datetime.timedelta(days=10) if sent else None,
                    submitted_by=head if sent else None,
                    decided_at=self.now - datetime.timedelta(days=3) if decided else None,
                    decided_by=world.planner if decided else None,
                )
            )
        plans = bulk(Plan, plans)
        events, activities = {}, []  # (action, by) -> plans, written to the one audit log
        for plan in plans:
            head = world.heads[plan.puskesmas_id]
            events.setdefault((AuditEvent.Action.CREATED, head), []).append(plan)
            if plan.status != Plan.Status.DRAFT:
                events.setdefault((AuditEvent.Action.SUBMITTED, head), []).append(plan)
            if plan.status in (Plan.Status.APPROVED, Plan.Status.RETURNED):
                events.setdefault((AuditEvent.Action(plan.status), world.planner), []).append(plan)
            activities += self.activities_of(plan, head, gaps.get(plan.puskesmas_id, {}))
        province_id = world.district.province_id
        for (action, by), members in events.items():
            record_many(
                members,
                action=action,
                by=by,
                area=lambda p: {
                    "province_id": province_id,
                    "district_id": p.district_id,
                    "puskesmas_id": p.puskesmas_id,
                },
            )
        activities = bulk(Activity, activities)
        approved = {p.pk for p in plans if p.status == Plan.Status.APPROVED}
        schedule = []
        for activity in activities:
            if activity.plan_id not in approved:
                continue
            first = rng.randint(1, 10)
            for month in (first, first + 1, first + 2):
                schedule.append(
                    ScheduleEntry(
                        activity=activity,
                        month=month,
                        volume=f"{rng.randint(1, 4)} kali",
                        location="Wilayah kerja puskesmas",
                        cost_idr=(activity.budget_idr / 3).quantize(Decimal(1)),
                        created_by=activity.created_by,
                    )
                )
        bulk(ScheduleEntry, schedule)
        world.plans = {p.puskesmas_id: p for p in plans}
        world.counts.update(
            {
                "RUK": len(plans),
                "RUK activities": len(activities),
                "RPK schedule entries": len(schedule),
                "plan events": sum(len(members) for members in events.values()),
            }
        )

    def activities_of(self, plan: Plan, head: User, gaps: dict) -> list[Activity]:
        rng = self.rng
        follow_ups = self.follow_ups_of[plan.puskesmas_id]
        proposals = self.proposals_of_puskesmas[plan.puskesmas_id]
        below = [s for s in self.gap_services if s.pk in gaps]
        rows = []
        for k in range(30):
            origin, service, link = Activity.Origin.MANUAL, None, {}
            if k < 8 and below:  # gaps of the first services below pace; the rest stay unplanned
                service = below[k % max(1, len(below) // 2)]
                target, served, achievement, pace, year, quarter = gaps[service.pk]
                origin = Activity.Origin.GAP
                link = {
                    "gap_year": year,
                    "gap_quarter": quarter,
                    "gap_target": target,
                    "gap_served": served,
                    "gap_achievement": achievement,
                    "gap_pace": pace,
                }
            elif k < 16 and follow_ups:
                item = follow_ups[(k * 5) % len(follow_ups)]
                origin, service, link = Activity.Origin.RTL, None, {"follow_up": item}
            elif k < 20 and proposals:
                proposal = proposals[(k * 3) % len(proposals)]
                origin, service = Activity.Origin.MUSRENBANG, proposal.service
                link = {"proposal": proposal}
            elif k % 2:
                service = self.services[k % len(self.services)]
            code = self.codes.get(service.number) if service else self.other_code
            rows.append(
                Activity(
                    plan=plan,
                    effort=EFFORTS[k % len(EFFORTS)],
                    name=f"{RTL[k % len(RTL)].format(service='sasaran')} ({k + 1})",
                    goal="Meningkatkan cakupan pelayanan",
                    target_group="Sasaran SPM di wilayah kerja",
                    target="Seluruh sasaran",
                    responsible="Pengelola program",
                    equipment_needed="Formulir, alat ukur",
                    staff_needed="Bidan, perawat, kader",
                    partners="Desa, PKK",
                    timing="Februari s.d. November",
                    budget_idr=Decimal(rng.randrange(4, 120) * 500_000),
                    indicator="Cakupan sesuai target",
                    funding_source=FUNDING[k % len(FUNDING)],
                    service=service,
                    sub_activity=code,
                    origin=origin,
                    created_by=head,
                    updated_by=head,
                    **link,
                )
            )
        return rows


def puskesmas_gaps(year: int, quarter: int) -> dict[int, dict]:
    """Per puskesmas, the services below pace in the quarter: service id -> the figures an
    activity started from that gap carries."""
    pace = dashboard_period(year=year, quarter=quarter).pace
    rows = Achievement.objects.filter(
        level=Level.PUSKESMAS, year=year, quarter=quarter, achievement__lt=pace, target__gt=0
    ).values_list("puskesmas_id", "service_id", "target", "served_ytd", "achievement")
    gaps = defaultdict(dict)
    for puskesmas_id, service_id, target, served, achievement in rows:
        gaps[puskesmas_id][service_id] = (target, served, achievement, pace, year, quarter)
    return gaps


def build(*, puskesmas: int, small: int, partners: int, villages: int, today) -> tuple:
    rule("1. Data (bulk_create, not the services)")
    builder = Builder(today=today, seed=6)
    print(
        f"  meetings {builder.months[0][0]}-{builder.months[0][1]:02d} to "
        f"{builder.months[-1][0]}-{builder.months[-1][1]:02d}; approved SPM data "
        + ", ".join(f"{y} January-{m:02d}" for y, m in builder.spm_periods)
        + f" (gaps of {builder.gap_year} Q{builder.gap_quarter}); RUK for {builder.plan_year}"
    )
    print(f"  {'step':<56} {'rows':>10} {'seconds':>8}")
    worlds = []
    for code, name, size, partner_count in (
        ("63.08", "Hulu Sungai Utara", puskesmas, partners),
        ("63.72", "Kota Banjarbaru", small, min(partners, 8)),
    ):
        with timed(f"{name}: areas, users, partners"), transaction.atomic():
            world = builder.areas(
                code=code, name=name, puskesmas_count=size, villages_each=villages
            )
            builder.partners(world, partner_count)
        with timed(f"{name}: targets, approved monthly reports and values") as box:
            with transaction.atomic():
                builder.spm_data(world)
            box["rows"] = world.counts["monthly values"]
        with timed(f"{name}: meetings and what they produced") as box, transaction.atomic():
            builder.meetings(world)
            box["rows"] = sum(
                world.counts[k]
                for k in (
                    "meetings",
                    "participants",
                    "problems",
                    "RTL items",
                    "commitments",
                    "Musrenbang proposals",
                    "status updates",
                )
            )
        worlds.append(world)
    for year, last_month in builder.spm_periods:
        quarters = last_month // 3
        if not quarters:
            continue
        with timed(f"achievement {year} Q1-Q{quarters} (the quarter_aggregate service)") as box:
            for quarter in range(1, quarters + 1):
                quarter_aggregate(year=year, quarter=quarter)
            box["rows"] = Achievement.objects.filter(year=year).count()
    gaps = puskesmas_gaps(builder.gap_year, builder.gap_quarter)
    for world in worlds:
        with timed(f"{world.district.name}: RUK, activities, RPK") as box, transaction.atomic():
            builder.plans(world, gaps=gaps)
            box["rows"] = world.counts["RUK activities"] + world.counts["RPK schedule entries"]
    with timed("ANALYZE (autovacuum would, in production)"), connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    big, small_world = worlds
    for world in (big, small_world):
        print(
            f"  {world.district.name}: " + ", ".join(f"{n:,} {k}" for k, n in world.counts.items())
        )
    return big, small_world


# --- Timing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str
    role: str  # "planner" or "head"
    url: object  # World -> str
    target_ms: float | None = TARGET_MS

    def user(self, world: World) -> User:
        return world.planner if self.role == "planner" else world.head


PAGES = [
    Page("workshops:meeting-list", "planner", lambda w: reverse("workshops:meeting-list")),
    Page("workshops:followup-board", "planner", lambda w: reverse("workshops:followup-board")),
    Page(
        "workshops:commitment-partners",
        "planner",
        lambda w: reverse("workshops:commitment-partners"),
    ),
    Page("workshops:proposal-board", "planner", lambda w: reverse("workshops:proposal-board")),
    Page("workshops:management-score", "planner", lambda w: reverse("workshops:management-score")),
    Page("planning:ruk-list", "planner", lambda w: reverse("planning:ruk-list")),
    Page("planning:plan-totals", "planner", lambda w: reverse("planning:plan-totals")),
    Page("planning:gap-list", "planner", lambda w: reverse("planning:gap-list")),
    Page(
        "workshops:meeting-detail",
        "head",
        lambda w: reverse("workshops:meeting-detail", args=[w.lokmin.pk]),
    ),
    Page(
        "workshops:meeting-pack",
        "head",
        lambda w: reverse("workshops:meeting-pack", args=[w.lokmin.pk]),
    ),
    Page(
        "workshops:meeting-rtl",
        "head",
        lambda w: reverse("workshops:meeting-rtl", args=[w.lokmin.pk]),
    ),
    Page(
        "planning:plan-detail", "head", lambda w: reverse("planning:plan-detail", args=[w.plan.pk])
    ),
    Page(
        "followup-board ?format=xlsx",
        "planner",
        lambda w: reverse("workshops:followup-board") + "?format=xlsx",
        target_ms=None,
    ),
]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


class QueryClock:
    """Each statement's own time, to the microsecond (CaptureQueriesContext rounds to the ms),
    with its SQL and parameters for EXPLAIN."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object, float]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.calls.append((sql, params, (time.perf_counter() - started) * 1000))


@contextmanager
def capture():
    """CaptureQueriesContext's list, each query with `ms` and `raw` (sql, params) added."""
    clock = QueryClock()
    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(clock):
        yield queries
    for query, (sql, params, ms) in zip(queries.captured_queries, clock.calls, strict=False):
        query["ms"], query["raw"] = ms, (sql, params)


def sql_ms(queries: list[dict]) -> float:
    return sum(q.get("ms", float(q["time"]) * 1000) for q in queries)


def time_page(client: Client, url: str):
    """(timings in ms, status, queries of one more request, bytes of that response)."""
    for _ in range(WARM_UP):
        response = client.get(url)
        if response.status_code != 200:
            return [], response.status_code, [], 0
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    with capture() as queries:
        response = client.get(url)
    return timings, response.status_code, list(queries.captured_queries), len(response.content)


def captured(user: User, url: str) -> list[dict]:
    client = client_for(user)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return list(queries.captured_queries)


def shape(sql: str) -> str:
    """A statement with its literal numbers and strings blanked: the same query for each row."""
    sql = re.sub(r"'[^']*'", "?", sql)
    return re.sub(r"\b\d+\b", "?", " ".join(sql.split()))


def show_slowest(queries: list[dict], top: int = 5, plan_lines: int = 40) -> None:
    """The slowest statements of one request, and the plan of the slowest (a SELECT)."""
    ordered = sorted(queries, key=lambda q: -q["ms"])
    for query in ordered[:top]:
        text = " ".join(query["sql"].split())
        print(f"      {query['ms']:7.1f} ms  {text[:160]}...")
    if not ordered or not ordered[0]["sql"].lstrip("( ").upper().startswith("SELECT"):
        return
    sql, params = ordered[0]["raw"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
        plan = [line for (line,) in cursor.fetchall()]
    print("      EXPLAIN ANALYZE of the slowest:")
    for line in plan[:plan_lines]:
        print(f"        {line}")
    if len(plan) > plan_lines:
        print(f"        ... {len(plan) - plan_lines} more lines; {plan[-1].strip()}")


def show_growth(big: list[dict], small: list[dict]) -> None:
    more = Counter(shape(q["sql"]) for q in big) - Counter(shape(q["sql"]) for q in small)
    for sql, extra in more.most_common(5):
        print(f"      {extra:>4} more x  {sql[:160]}...")


def show_profile(client: Client, url: str, top: int = 12) -> None:
    """Where one request spends its time in Python (own time of the costliest functions)."""
    profile = cProfile.Profile()
    profile.enable()
    client.get(url)
    profile.disable()
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    total = next((line for line in lines if "function calls" in line), "")
    print(f"      Python profile of one request ({total.strip()}), by own time:")
    for line in lines[start : start + top + 1]:
        print(f"        {line[:150]}")


def run_pages(big: World, small: World) -> list[dict]:
    rule("2. Pages: server time over the test client, DEBUG off")
    print(f"  load average {load()}")
    print(
        f"  {big.district.name}: {len(big.puskesmas_list)} puskesmas; the head is "
        f"{big.head.puskesmas.name}'s, on its latest quarterly lokmin ({big.lokmin.held_on}) and "
        f"its RUK {big.plan.year} ({big.plan.get_status_display()})"
    )
    opening = open_items_for(user=big.head, meeting=big.lokmin)
    earlier = Meeting.objects.filter(
        puskesmas=big.lokmin.puskesmas, kind=big.lokmin.kind, held_on__lt=big.lokmin.held_on
    ).count()
    print(
        f"  that lokmin opens with {len(opening.follow_ups)} RTL items and "
        f"{len(opening.commitments)} commitments of the {earlier} quarterly lokmin before it "
        "(still open, or closed since it began); the follow-up board holds "
        f"{big.counts['RTL items'] + big.counts['commitments']:,} items"
    )
    print(
        f"  {WARM_UP} warm-up requests, then {REQUESTS} timed; queries counted on one more; "
        f"'small' is the same page for the same role in {small.district.name} "
        f"({len(small.puskesmas_list)} puskesmas)"
    )
    header = (
        f"  {'page':<31} {'who':<8} {'p50 ms':>7} {'p95 ms':>7} {'target':>7} {'queries':>7} "
        f"{'small':>6} {'SQL ms':>7} {'KB':>6}  verdict"
    )
    print(header)
    results = []
    for page in PAGES:
        url, user = page.url(big), page.user(big)
        client = client_for(user)
        timings, status, queries, size = time_page(client, url)
        if status != 200:
            print(f"  {page.name:<31} {page.role:<8} answered {status}")
            results.append({"page": page, "status": status})
            continue
        small_queries = captured(page.user(small), page.url(small))
        over = page.target_ms is not None and p95(timings) > page.target_ms
        grows = len(queries) != len(small_queries)
        verdict = ", ".join(
            [w for w, flag in (("OVER TARGET", over), ("QUERIES GROW", grows)) if flag]
        )
        spent = sql_ms(queries)
        target = f"{page.target_ms:.0f}" if page.target_ms else "-"
        print(
            f"  {page.name:<31} {page.role:<8} {statistics.median(timings):>7.1f} "
            f"{p95(timings):>7.1f} {target:>7} {len(queries):>7} {len(small_queries):>6} "
            f"{spent:>7.1f} {size / 1024:>6.0f}  {verdict or 'ok'}"
        )
        results.append(
            {
                "page": page,
                "url": url,
                "client": client,
                "timings": timings,
                "queries": queries,
                "small_queries": small_queries,
                "over": over,
                "grows": grows,
                "status": status,
            }
        )
    print(
        f"  target: p95 <= {TARGET_MS:.0f} ms per page (the export is a download: no target); "
        "queries equal for the big and the small district"
    )
    print(f"  load average {load()}")
    return results


def worth_explaining(r: dict) -> bool:
    """Over target, queries that grow, the export, or past half the target (what grows next)."""
    if r["status"] != 200:
        return False
    target = r["page"].target_ms
    return r["over"] or r["grows"] or target is None or p95(r["timings"]) > target / 2


def explain(results: list[dict], *, profile: bool) -> None:
    flagged = [r for r in results if worth_explaining(r)]
    if not flagged:
        return
    rule("3. Why: pages over target, past half of it or whose queries grow, and the export")
    for r in flagged:
        page, queries = r["page"], r["queries"]
        print(
            f"  {page.name} ({page.role}): p95 {p95(r['timings']):.1f} ms; one request: "
            f"{len(queries)} queries, SQL {sql_ms(queries):.1f} ms, the rest is Python"
        )
        if r["grows"]:
            print(
                f"    queries: {len(queries)} on the big district, "
                f"{len(r['small_queries'])} on the small one; the statements that repeat:"
            )
            show_growth(queries, r["small_queries"])
        print("    slowest queries:")
        show_slowest(queries)
        if profile:
            show_profile(r["client"], r["url"])


def main() -> None:
    global REQUESTS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--puskesmas", type=int, default=60)
    parser.add_argument("--small", type=int, default=2, help="puskesmas of the small district")
    parser.add_argument("--partners", type=int, default=20)
    parser.add_argument("--villages", type=int, default=15, help="desa per puskesmas")
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--no-profile", action="store_true", help="no Python profile of slow pages")
    args = parser.parse_args()
    REQUESTS = args.requests
    settings.DEBUG = False
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    started = time.perf_counter()
    prepare_database()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version'), current_setting('jit')")
        version, jit = cursor.fetchone()
    print(
        f"Database: {describe_database()} (PostgreSQL {version}, jit {jit}); DEBUG "
        f"{settings.DEBUG}; {os.cpu_count()} CPUs; load average {load()}"
    )
    big, small = build(
        puskesmas=args.puskesmas,
        small=args.small,
        partners=args.partners,
        villages=args.villages,
        today=timezone.localdate(),
    )
    results = run_pages(big, small)
    explain(results, profile=not args.no_profile)
    print(f"\nWhole benchmark: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

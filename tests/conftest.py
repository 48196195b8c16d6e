"""The small world every test starts from: two provinces, three districts, a user per role.

- province 63 (Kalimantan Selatan) with district 63.08 (ours) and 63.71 (a neighbour);
- province 64 (Kalimantan Timur) with district 64.74;
- in 63.08 one puskesmas with two villages and a posyandu; in 63.71 and 64.74 one puskesmas each.
"""

import importlib
import os

import pytest

from kernel.models import User

from .factories import (
    DistrictFactory,
    HealthOfficeFactory,
    PartnerFactory,
    ProvinceFactory,
    PuskesmasFactory,
    ServicePointFactory,
    SubdistrictFactory,
    UnitFactory,
    UserFactory,
    VillageFactory,
)

# --- Spreading the long modules over the workers ------------------------------------------------
# The longest modules (seconds on the CI machine, PostgreSQL) start first, one group per xdist
# worker, so no worker picks a four-minute test up last while the other sits idle. Order inside
# a module, and the random order of everything else (pytest-randomly), stay as they were.
LONG_MODULES = {
    "tests/test_deployment_smoke.py": 230,
    "tests/test_backup.py": 180,
    "tests/test_exports_by_role.py": 120,
    "tests/hostile/test_importers.py": 120,
    "tests/indicators/test_demo_seed.py": 75,
    "tests/test_production_server.py": 75,
    "tests/community/test_indicators.py": 50,
}
# Only modules of plain database tests (or none): pytest-django runs transactional tests, which
# empty the database, after the others, and browser tests leave Playwright's event loop on the
# worker's thread, so both stay where pytest-django put them.


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """After every other reordering (pytest-randomly's included), put the long modules at the
    head of each worker's first share (xdist's worksteal hands out contiguous shares)."""
    result = yield
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    modules: dict[str, list] = {}
    rest = []
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        (modules.setdefault(path, []) if path in LONG_MODULES else rest).append(item)
    if not modules:
        return result
    groups: list[list] = [[] for _ in range(max(workers, 1))]
    loads = [0] * len(groups)
    for path in sorted(modules, key=lambda p: -LONG_MODULES[p]):
        lightest = loads.index(min(loads))
        groups[lightest].extend(modules[path])
        loads[lightest] += LONG_MODULES[path]
    ordered, start, total = [], 0, len(items)
    for index, group in enumerate(groups):
        share = (total - len(ordered)) // (len(groups) - index)  # as worksteal splits
        take = max(share - len(group), 0)
        ordered.extend(group + rest[start : start + take])
        start += take
    ordered.extend(rest[start:])
    items[:] = ordered
    return result


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language (Bahasa Indonesia), whatever ran before it:
    tests run in random order (pytest-randomly)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def spm_catalogue(db):
    """The SPM catalogue the data migration loads; reloaded after transactional tests flush it."""
    from django.apps import apps

    from indicators.models import ReportingYear

    if not ReportingYear.objects.exists():
        for name in (
            "0003_load_spm_catalogue",
            "0005_load_index_bands",
            "0021_load_quality_standard",
        ):
            importlib.import_module(f"indicators.migrations.{name}").load(apps, None)
    from workshops.models import ManagementScoreBand

    if not ManagementScoreBand.objects.exists():
        importlib.import_module("workshops.migrations.0002_load_management_score_bands").load(
            apps, None
        )
    from community.models import UkbmStandard

    if not UkbmStandard.objects.exists():  # criteria, skills, level rules, UKBM indicators
        importlib.import_module("community.migrations.0002_load_standards").load(apps, None)
    from assessments.models import Instrument

    if not Instrument.objects.exists():  # the shipped instrument editions (issue #18)
        importlib.import_module("assessments.migrations.0002_load_instruments").load(apps, None)


@pytest.fixture
def world(db, spm_catalogue):
    kalsel = ProvinceFactory(code="63", name="Kalimantan Selatan")
    kaltim = ProvinceFactory(code="64", name="Kalimantan Timur")
    hsu = DistrictFactory(province=kalsel, code="63.08", name="Kabupaten Hulu Sungai Utara")
    banjarmasin = DistrictFactory(province=kalsel, code="63.71", name="Kota Banjarmasin")
    bontang = DistrictFactory(province=kaltim, code="64.74", name="Kota Bontang")
    areas = {}
    for key, district in (("hsu", hsu), ("banjarmasin", banjarmasin), ("bontang", bontang)):
        subdistrict = SubdistrictFactory(district=district)
        puskesmas = PuskesmasFactory(subdistrict=subdistrict, name=f"Puskesmas {key.title()}")
        villages = VillageFactory.create_batch(2, subdistrict=subdistrict, puskesmas=puskesmas)
        office = HealthOfficeFactory(district=district)
        areas[key] = {
            "district": district,
            "subdistrict": subdistrict,
            "puskesmas": puskesmas,
            "villages": villages,
            "service_point": ServicePointFactory(puskesmas=puskesmas, village=villages[0]),
            "partner": PartnerFactory(district=district),
            "office": office,
            "unit": UnitFactory(office=office),
        }
    areas["kalsel"] = kalsel
    areas["kaltim"] = kaltim
    return areas


@pytest.fixture
def province_user(world):
    return UserFactory(username="prov", role=User.Role.PROVINCE_REVIEWER, province=world["kalsel"])


@pytest.fixture
def district_user(world):
    return UserFactory(
        username="dinkes", role=User.Role.DISTRICT_PLANNER, district=world["hsu"]["district"]
    )


@pytest.fixture
def puskesmas_head(world):
    return UserFactory(
        username="kapus", role=User.Role.PUSKESMAS_HEAD, puskesmas=world["hsu"]["puskesmas"]
    )


@pytest.fixture
def mentor_user(world):
    """A planning mentor (issue #18) assigned to Hulu Sungai Utara since the start of 2026."""
    import datetime

    from kernel.models import MentorAssignment

    mentor = UserFactory(username="pendamping", role=User.Role.MENTOR)
    MentorAssignment.objects.create(
        user=mentor, district=world["hsu"]["district"], starts_on=datetime.date(2026, 1, 1)
    )
    return mentor


@pytest.fixture
def puskesmas_staff(world):
    return UserFactory(
        username="staf", role=User.Role.PUSKESMAS_STAFF, puskesmas=world["hsu"]["puskesmas"]
    )


@pytest.fixture
def other_district_user(world):
    """A planner of Kota Banjarmasin: same province, another district."""
    return UserFactory(
        username="other",
        role=User.Role.DISTRICT_PLANNER,
        district=world["banjarmasin"]["district"],
    )


@pytest.fixture
def other_province_user(world):
    return UserFactory(
        username="kaltim", role=User.Role.PROVINCE_REVIEWER, province=world["kaltim"]
    )


@pytest.fixture
def admin_user(world):
    return UserFactory(
        username="admin", role=User.Role.SYSTEM_ADMIN, is_staff=True, is_superuser=True
    )


@pytest.fixture
def post_import(client, django_capture_on_commit_callbacks):
    """POST an upload to an import page; the import job runs (eagerly) when the request's
    transaction commits. Returns (response, job or None) and `errors_of(response, job)` reads
    the refusal from the job page or the form."""
    from kernel.models import ImportJob

    def post(url, data):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data)
        job = None
        if response.status_code == 302 and "/imports/" in response.url:
            job = ImportJob.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
        return response, job

    return post


def errors_of(response, job) -> list[str]:
    """What the user is told: the failed job's located errors, or the upload form's errors."""
    if job is not None:
        return list(job.errors)
    form = response.context["form"]
    return list(form.non_field_errors()) + [e for errors in form.errors.values() for e in errors]


@pytest.fixture
def rolls_migrations_back():
    """For the tests that roll the whole migration history back and forth (minutes on SQLite,
    where every step rebuilds its tables): they test migrations of earlier releases, whose code
    is the same on both databases, so CI runs them once, on PostgreSQL, like the English crawl.
    SIMPUL_MIGRATION_TESTS_ALL=1 runs them on SQLite too."""
    import os

    from django.db import connection

    if connection.vendor == "sqlite" and os.environ.get("SIMPUL_MIGRATION_TESTS_ALL") != "1":
        pytest.skip("rolls the migration history back: runs on PostgreSQL in CI")

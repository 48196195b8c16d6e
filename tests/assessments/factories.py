"""Factories of the assessments (issue #18). Instruments come from the migration
(assessments 0002, the shipped editions): `Instrument.for_year(kind, year)`."""

import datetime

import factory
from factory.django import DjangoModelFactory

from assessments.models import (
    CapacityAssessment,
    Instrument,
    MentoringActivity,
    MentoringItem,
    MentoringVisit,
    PkpAssessment,
    SupervisionVisit,
)
from kernel.models import MentorAssignment, User

from ..factories import DistrictFactory, PuskesmasFactory, UserFactory


class PkpAssessmentFactory(DjangoModelFactory):
    """A PKP row only (no scores or service results: services.pkp.pkp_start makes those)."""

    class Meta:
        model = PkpAssessment

    puskesmas = factory.SubFactory(PuskesmasFactory)
    year = 2026
    instrument = factory.LazyAttribute(lambda o: Instrument.for_year(Instrument.Kind.PKP, o.year))


class MentorFactory(UserFactory):
    role = User.Role.MENTOR
    province = None
    district = None
    puskesmas = None


class MentorAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = MentorAssignment

    user = factory.SubFactory(MentorFactory)
    district = factory.SubFactory(DistrictFactory)
    starts_on = datetime.date(2026, 1, 1)
    ends_on = None
    organisation = "Universitas Lambung Mangkurat"


class CapacityAssessmentFactory(DjangoModelFactory):
    class Meta:
        model = CapacityAssessment

    district = factory.SubFactory(DistrictFactory)
    instrument = factory.LazyAttribute(
        lambda o: Instrument.for_year(Instrument.Kind.CAPACITY, o.held_on.year)
    )
    stage = CapacityAssessment.Stage.BASELINE
    held_on = datetime.date(2026, 3, 10)


class MentoringActivityFactory(DjangoModelFactory):
    class Meta:
        model = MentoringActivity

    district = factory.SubFactory(DistrictFactory)
    title = factory.Sequence(lambda n: f"Pendampingan penyusunan RUK {n}")
    starts_on = datetime.date(2026, 4, 1)
    due_on = datetime.date(2026, 4, 30)


class MentoringVisitFactory(DjangoModelFactory):
    class Meta:
        model = MentoringVisit

    district = factory.SubFactory(DistrictFactory)
    visited_on = datetime.date(2026, 4, 15)
    notes = "Telaah RUK bersama perencana"


class MentoringItemFactory(DjangoModelFactory):
    class Meta:
        model = MentoringItem

    district = factory.SubFactory(DistrictFactory)
    problem = "Analisis situasi belum memakai data SPM"
    action = "Latih perencana memakai dasbor SPM"
    due_on = datetime.date(2026, 6, 30)


class SupervisionVisitFactory(DjangoModelFactory):
    class Meta:
        model = SupervisionVisit

    puskesmas = factory.SubFactory(PuskesmasFactory)
    planned_on = datetime.date(2026, 5, 12)
    team = "Kasi Yankes\nPerencana"
    instrument = factory.LazyAttribute(
        lambda o: Instrument.for_year(Instrument.Kind.SUPERVISION, o.planned_on.year)
    )

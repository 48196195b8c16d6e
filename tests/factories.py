"""factory_boy factories: a small, valid world per test (STYLE.md §9)."""

import datetime

import factory
from factory.django import DjangoModelFactory

from indicators.models import (
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


class ProvinceFactory(DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{11 + n % 80:02d}")
    name = factory.Sequence(lambda n: f"Provinsi {n}")


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    province = factory.SubFactory(ProvinceFactory)
    name = factory.Sequence(lambda n: f"Kabupaten {n}")

    @factory.lazy_attribute
    def code(self):
        count = District.objects.filter(province=self.province).count()
        return f"{self.province.code}.{count + 1:02d}"


class SubdistrictFactory(DjangoModelFactory):
    class Meta:
        model = Subdistrict

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Kecamatan {n}")

    @factory.lazy_attribute
    def code(self):
        count = Subdistrict.objects.filter(district=self.district).count()
        return f"{self.district.code}.{count + 1:02d}"


class VillageFactory(DjangoModelFactory):
    class Meta:
        model = Village

    subdistrict = factory.SubFactory(SubdistrictFactory)
    name = factory.Sequence(lambda n: f"Desa {n}")

    @factory.lazy_attribute
    def code(self):
        count = Village.objects.filter(subdistrict=self.subdistrict).count()
        return f"{self.subdistrict.code}.{2001 + count}"


class PuskesmasFactory(DjangoModelFactory):
    class Meta:
        model = Puskesmas

    subdistrict = factory.SubFactory(SubdistrictFactory)
    district = factory.SelfAttribute("subdistrict.district")
    code = factory.Sequence(lambda n: f"P{n:010d}")
    name = factory.Sequence(lambda n: f"Puskesmas {n}")
    head_name = "dr. Rina"


class ServicePointFactory(DjangoModelFactory):
    class Meta:
        model = ServicePoint

    puskesmas = factory.SubFactory(PuskesmasFactory)
    kind = ServicePoint.Kind.POSYANDU
    name = factory.Sequence(lambda n: f"Melati {n}")


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = PartnerOrganisation

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Dinas Sosial {n}")
    sector = PartnerOrganisation.Sector.SOCIAL


class HealthOfficeFactory(DjangoModelFactory):
    class Meta:
        model = HealthOffice
        django_get_or_create = ("district",)

    district = factory.SubFactory(DistrictFactory)
    name = factory.LazyAttribute(lambda o: f"Dinas Kesehatan {o.district.name}")


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = HealthOfficeUnit

    office = factory.SubFactory(HealthOfficeFactory)
    kind = HealthOfficeUnit.Kind.DIVISION
    name = factory.Sequence(lambda n: f"Bidang {n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("simpul-test")
    role = User.Role.DISTRICT_PLANNER


# --- Meetings and commitments (workshops) -------------------------------------------------------


class MeetingFactory(DjangoModelFactory):
    """A quarterly cross-sector lokmin of a puskesmas; pass `puskesmas` (and `created_by`)."""

    class Meta:
        model = "workshops.Meeting"

    kind = "quarterly_lokmin"
    title = "Lokakarya mini lintas sektor triwulan"
    puskesmas = factory.SubFactory(PuskesmasFactory)
    district = factory.LazyAttribute(lambda o: o.puskesmas.district if o.puskesmas else None)
    province = factory.LazyAttribute(
        lambda o: o.district.province if o.district else ProvinceFactory()
    )
    held_on = factory.LazyFunction(lambda: datetime.date(2026, 5, 12))
    place = "Aula kecamatan"
    chair_name = "Sekretaris Camat"
    created_by = factory.SubFactory(UserFactory)


class ParticipantFactory(DjangoModelFactory):
    class Meta:
        model = "workshops.Participant"

    meeting = factory.SubFactory(MeetingFactory)
    name = factory.Sequence(lambda n: f"Peserta {n}")
    position = "Kepala desa"
    organisation = "Pemerintah desa"
    sector = "village"


class ProblemFactory(DjangoModelFactory):
    class Meta:
        model = "workshops.Problem"

    meeting = factory.SubFactory(MeetingFactory)
    statement = factory.Sequence(lambda n: f"Cakupan K4 rendah {n}")


class FollowUpFactory(DjangoModelFactory):
    class Meta:
        model = "workshops.FollowUp"

    meeting = factory.SubFactory(MeetingFactory)
    activity = factory.Sequence(lambda n: f"Kunjungan rumah ibu hamil {n}")
    responsible = "Bidan koordinator"
    due_on = factory.LazyAttribute(lambda o: o.meeting.held_on + datetime.timedelta(30))
    created_by = factory.SelfAttribute("meeting.created_by")


class CommitmentFactory(DjangoModelFactory):
    class Meta:
        model = "workshops.Commitment"

    meeting = factory.SubFactory(MeetingFactory)
    party = "Dinas Sosial"
    description = "Memadankan data PBI JKN dengan data ibu hamil"
    due_on = factory.LazyAttribute(lambda o: o.meeting.held_on + datetime.timedelta(60))
    created_by = factory.SelfAttribute("meeting.created_by")


class ProposalFactory(DjangoModelFactory):
    class Meta:
        model = "workshops.MusrenbangProposal"

    meeting = factory.SubFactory(MeetingFactory)
    subdistrict = factory.LazyAttribute(lambda o: o.meeting.puskesmas.subdistrict)
    title = factory.Sequence(lambda n: f"Pembangunan posyandu {n}")
    created_by = factory.SelfAttribute("meeting.created_by")

"""factory_boy factories: a small, valid world per test (STYLE.md §9)."""

import datetime

import factory
from factory.django import DjangoModelFactory

from kernel.models import (
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


def meeting_with_records(puskesmas, head, partner):
    """A held quarterly lokmin of `puskesmas` with long real-world names in every part: for the
    page-wide checks (no foreign hosts, CSP, no sideways scroll on a phone)."""
    meeting = MeetingFactory(
        puskesmas=puskesmas,
        created_by=head,
        status="held",
        title="Lokakarya Mini Lintas Sektor Triwulan II 2026 dan Penggalangan Komitmen Percepatan",
        place="Aula Kantor Kecamatan Amuntai Tengah, Jl. Basuki Rahmat No. 17, Sungai Malang",
        chair_name="H. Muhammad Yusran, S.Sos., M.AP",
        chair_position="Sekretaris Camat Amuntai Tengah",
        agenda="Capaian 12 SPM kesehatan per desa\nKematian ibu dan stunting",
    )
    ParticipantFactory(
        meeting=meeting,
        name="Hj. Siti Nurhalimah Rahmawati, S.K.M., M.Kes.",
        organisation="Tim Penggerak Pemberdayaan dan Kesejahteraan Keluarga Kecamatan",
        phone="0812 5555 01234",
        attended=True,
        signs_agreement=True,
    )
    problem = ProblemFactory(
        meeting=meeting,
        statement="Dua kematian ibu pada triwulan lalu di desa terpencil yang jauh dari pustu",
    )
    FollowUpFactory(
        meeting=meeting,
        problem=problem,
        partner=partner,
        activity="Kelas ibu hamil dan pendampingan oleh kader di setiap desa wilayah kerja",
        cost_idr=12_500_000,
        funding_source="bok",
    )
    CommitmentFactory(
        meeting=meeting,
        partner=partner,
        party=partner.name,
        signatory_name="Drs. H. Ahmad Fauzi Rahman, M.Si.",
        due_on=datetime.date(2026, 1, 31),
    )
    ProposalFactory(meeting=meeting, estimated_cost_idr=250_000_000)
    return meeting

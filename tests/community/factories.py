"""Factories of the community layer (issue #17). The criteria, skills and indicators come from
the migrations (community 0002): `UkbmStandard.for_year`, `SkillSet.for_year`."""

import factory
from factory.django import DjangoModelFactory

from community.models import Cadre, PosyanduReview, UkbmStandard, VillageReview
from kernel.models import ServicePoint

from ..factories import ServicePointFactory, VillageFactory


class PosyanduFactory(ServicePointFactory):
    kind = ServicePoint.Kind.POSYANDU
    venue = "Balai desa"
    schedule = "Selasa kedua tiap bulan"


class PosyanduReviewFactory(DjangoModelFactory):
    class Meta:
        model = PosyanduReview

    service_point = factory.SubFactory(PosyanduFactory)
    puskesmas = factory.SelfAttribute("service_point.puskesmas")
    year = 2026
    standard = factory.LazyAttribute(
        lambda o: UkbmStandard.for_year(UkbmStandard.Subject.POSYANDU, o.year)
    )


class VillageReviewFactory(DjangoModelFactory):
    class Meta:
        model = VillageReview

    village = factory.SubFactory(VillageFactory)
    puskesmas = factory.SelfAttribute("village.puskesmas")
    year = 2026
    standard = factory.LazyAttribute(
        lambda o: UkbmStandard.for_year(UkbmStandard.Subject.VILLAGE, o.year)
    )


class CadreFactory(DjangoModelFactory):
    class Meta:
        model = Cadre

    service_point = factory.SubFactory(PosyanduFactory)
    puskesmas = factory.SelfAttribute("service_point.puskesmas")
    name = factory.Sequence(lambda n: f"Kader {n}")
    birth_year = 1985

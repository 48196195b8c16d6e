"""The yearly self-reliance review of a posyandu and of a desa/kelurahan siaga aktif: filled by
the puskesmas, checked by the district (kernel.reviews), history kept (one row per year, every
step an audit event, every edit in the simple-history table). The stratum and whether it is
active are computed from the review's figures by the edition's criteria (community/rules.py)
and stored with the edition used, so a later edition never changes a past result."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kernel.models import AreaOwned, Puskesmas, Reviewed, ServicePoint, Village

from .standards import Stratum, UkbmStandard

AREA_PATHS = {
    "province": "puskesmas__district__province",
    "district": "puskesmas__district",
    "puskesmas": "puskesmas",
}


def percent_field(label: str, help_text: str = "") -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=help_text,
    )


def count_field(label: str, help_text: str = "") -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, null=True, blank=True, help_text=help_text)


class YearReview(AreaOwned, Reviewed):
    """What both reviews share: the puskesmas that fills it, the year, the edition of the
    criteria, the computed stratum and the reasons it is not higher."""

    area_paths = AREA_PATHS

    puskesmas = models.ForeignKey(
        Puskesmas, on_delete=models.PROTECT, related_name="+", verbose_name=_("puskesmas")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    standard = models.ForeignKey(
        UkbmStandard, on_delete=models.PROTECT, related_name="+", verbose_name=_("criteria")
    )
    stratum = models.CharField(_("stratum"), max_length=10, choices=Stratum.choices, blank=True)
    # [{"goal": "madya", "measure": "active_cadres", "value": "4", "minimum": "5"}, ...]: the
    # criteria of the next stratum (and of being active) not met, as computed.
    shortfalls = models.JSONField(_("criteria not met"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        abstract = True

    def audit_area(self) -> dict[str, int | None]:
        """Where the review's events are seen (kernel.audit): its puskesmas, district and
        province."""
        return {
            "province_id": self.puskesmas.district.province_id,
            "district_id": self.puskesmas.district_id,
            "puskesmas_id": self.puskesmas_id,
        }

    transition_refused = _("This review is %(status)s: it cannot be changed that way now.")
    transition_stale = _(
        "The review changed since you opened it: reload the page, check it and try again."
    )


class PosyanduReview(YearReview):
    """A posyandu's year: sessions held, active cadres, average weighing coverage (D/S),
    cumulative coverage of maternal-child health, family planning and immunisation, extra
    programmes and the community health fund."""

    service_point = models.ForeignKey(
        ServicePoint,
        on_delete=models.CASCADE,
        related_name="reviews",
        limit_choices_to={"kind": ServicePoint.Kind.POSYANDU},
        verbose_name=_("posyandu"),
    )
    sessions_held = count_field(_("sessions held in the year"))
    active_cadres = count_field(_("active cadres"))
    weighing_coverage = percent_field(
        _("weighing coverage D/S (%)"), _("Average of the year: under-fives weighed of all.")
    )
    kia_coverage = percent_field(_("maternal and child health coverage (%)"))
    kb_coverage = percent_field(_("family planning coverage (%)"))
    immunisation_coverage = percent_field(_("immunisation coverage (%)"))
    extra_programmes = count_field(
        _("extra programmes"), _("Programmes beyond the main five, e.g. BKB, PAUD, TOGA.")
    )
    fund_coverage = percent_field(
        _("health fund coverage (households, %)"),
        _("Households in a community health fund (dana sehat) or JKN."),
    )
    is_active_posyandu = models.BooleanField(_("active posyandu"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "service_point__name"]
        constraints = [
            models.UniqueConstraint(fields=["service_point", "year"], name="posyandu_review_unique")
        ]
        indexes = [models.Index(fields=["year", "status"], name="posyandu_review_year")]
        verbose_name = _("posyandu review")
        verbose_name_plural = _("posyandu reviews")

    def __str__(self) -> str:
        return f"{self.service_point.name} {self.year}"

    def clean(self) -> None:
        if self.service_point_id:
            if self.service_point.kind != ServicePoint.Kind.POSYANDU:
                raise ValidationError({"service_point": _("Choose a posyandu.")})
            if self.puskesmas_id and self.service_point.puskesmas_id != self.puskesmas_id:
                raise ValidationError({"service_point": _("Choose a posyandu of the puskesmas.")})


class VillageReview(YearReview):
    """A desa/kelurahan's year as a desa siaga aktif: its forum, cadres, daily access to basic
    care, posyandu and other UKBM, village funding, community activity and clean and healthy
    living (PHBS). Posyandu counts are read from the registry and the year's reviews."""

    village = models.ForeignKey(
        Village, on_delete=models.CASCADE, related_name="siaga_reviews", verbose_name=_("desa")
    )
    forum_meetings = count_field(
        _("village forum meetings in the year"), _("Forum Masyarakat Desa: 0 when there is none.")
    )
    active_cadres = count_field(_("active cadres"))
    daily_access = models.BooleanField(
        _("daily access to basic care"),
        null=True,
        blank=True,
        help_text=_("A pustu, poskesdes or polindes open every day, or a health worker on call."),
    )
    posyandu_count = count_field(_("posyandu"))
    active_posyandu = count_field(_("active posyandu"))
    ukbm_count = count_field(_("other UKBM"), _("Posbindu, pos UKK, poskestren ... in the desa."))
    village_funding = models.BooleanField(
        _("village funding for health"), null=True, blank=True, help_text=_("In the APBDes.")
    )
    community_activities = count_field(
        _("community activities in the year"), _("Clean-ups, mosquito nest eradication ...")
    )
    phbs_households = percent_field(_("households living clean and healthy (PHBS, %)"))
    is_siaga_aktif = models.BooleanField(_("desa siaga aktif"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "village__name"]
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="village_review_unique")
        ]
        indexes = [models.Index(fields=["year", "status"], name="village_review_year")]
        verbose_name = _("desa siaga aktif review")
        verbose_name_plural = _("desa siaga aktif reviews")

    def __str__(self) -> str:
        return f"{self.village.name} {self.year}"

    def clean(self) -> None:
        if self.village_id and self.puskesmas_id and self.village.puskesmas_id != self.puskesmas_id:
            raise ValidationError(
                {"village": _("The desa must be in the puskesmas's working area.")}
            )

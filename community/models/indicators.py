"""District UKBM indicators (issue #17 must-have 4): a catalogue of indicators computed from the
registry and the reviews (community/rules.py names how), a province's set for a year with a
target per district (agreed at a provincial meeting), and the figures the aggregation computes
per puskesmas, district and province."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from indicators.models.spm import Bilingual
from kernel.models import AreaOwned, District, Province, Puskesmas, Versioned
from workshops.models import Meeting


class UkbmIndicator(Bilingual):
    """One indicator: numerator over denominator, computed by the rule named `measure`."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    measure = models.CharField(
        _("computed as"), max_length=40, help_text=_("A rule of community/rules.py.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_verified = models.BooleanField(_("verified"), default=False)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("UKBM indicator")
        verbose_name_plural = _("UKBM indicators")


class IndicatorSet(AreaOwned, Versioned):
    """The indicators a province and its districts agreed for a year, with targets per
    district: the province sets them, each district sees its own."""

    area_paths = {"province": "province", "district": "province__districts"}

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    indicators = models.ManyToManyField(
        UkbmIndicator, related_name="sets", verbose_name=_("indicators")
    )
    agreed_at = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agreed at (meeting)"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-year", "province__name"]
        constraints = [
            models.UniqueConstraint(fields=["province", "year"], name="ukbm_indicator_set_unique")
        ]
        verbose_name = _("UKBM indicator set")
        verbose_name_plural = _("UKBM indicator sets")

    def __str__(self) -> str:
        return f"{self.province} {self.year}"


class IndicatorTarget(AreaOwned, Versioned):
    """A district's target (%) for one indicator of its province's set."""

    area_paths = {
        "province": "district__province",
        "district": "district",
        "puskesmas": "district__puskesmas",
    }

    indicator_set = models.ForeignKey(
        IndicatorSet, on_delete=models.CASCADE, related_name="targets", verbose_name=_("set")
    )
    indicator = models.ForeignKey(
        UkbmIndicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator")
    )
    district = models.ForeignKey(
        District, on_delete=models.CASCADE, related_name="+", verbose_name=_("district")
    )
    target = models.DecimalField(
        _("target (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        ordering = ["indicator_set", "indicator__order", "district__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator_set", "indicator", "district"], name="ukbm_target_unique"
            )
        ]
        verbose_name = _("UKBM indicator target")
        verbose_name_plural = _("UKBM indicator targets")


class IndicatorResult(AreaOwned, models.Model):
    """An indicator's figure for a year at one level: a puskesmas (puskesmas set), a district
    (district set, puskesmas empty) or a province (only province set). Rebuilt by the
    aggregation, never typed."""

    class Level(models.TextChoices):
        PUSKESMAS = "puskesmas", "Puskesmas"
        DISTRICT = "district", _("District")
        PROVINCE = "province", _("Province")

    area_paths = {"province": "province", "district": "district", "puskesmas": "puskesmas"}

    indicator = models.ForeignKey(
        UkbmIndicator, on_delete=models.CASCADE, related_name="results", verbose_name=_("indicator")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    province = models.ForeignKey(
        Province, on_delete=models.CASCADE, related_name="+", verbose_name=_("province")
    )
    district = models.ForeignKey(
        District,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    puskesmas = models.ForeignKey(
        Puskesmas,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("puskesmas"),
    )
    numerator = models.PositiveIntegerField(_("numerator"), default=0)
    denominator = models.PositiveIntegerField(_("denominator"), default=0)
    value = models.DecimalField(
        _("value (%)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        ordering = ["year", "indicator__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", level],
                condition=models.Q(level=level),
                name=f"ukbm_result_unique_{level}",
            )
            for level in ("puskesmas", "district", "province")
        ]
        indexes = [models.Index(fields=["year", "level"], name="ukbm_result_year_level")]
        verbose_name = _("UKBM indicator result")
        verbose_name_plural = _("UKBM indicator results")

    def __str__(self) -> str:
        return f"{self.indicator} {self.year} {self.level}"

"""Assessment instruments as versioned data (issue #18, DOMAIN.md §3 and §7).

An instrument is one edition of a questionnaire: sections, items, and for a scored item its
levels, each with a written definition (e.g. 0, 4, 7, 10), weights, and optionally a data rule
(`assessments/data_rules.py`) that fills the score, or the PKP service part's figures, from
Simpul's own data. Results point at the items of the edition they were made with; a new edition
is a new Instrument, so it never changes a past result, and an edition with results is locked
(`is_in_use`). Rank bands (good / fair / poor) are data of the edition too."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Worded(models.Model):
    """Text kept as data: Indonesian always, English when someone wrote it."""

    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.name_en and translation.get_language() == "en":
            return self.name_en
        return self.name


class Part(models.TextChoices):
    """Which part of an instrument a section belongs to. A PKP has a service part (coverage
    figures per activity) and a management part (scored items); a capacity assessment or a
    supervision checklist has scored topics."""

    SERVICE = "service", _("Service part")
    MANAGEMENT = "management", _("Management part")
    TOPIC = "topic", _("Scored topics")


class Rank(models.TextChoices):
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")


class Instrument(Worded):
    class Kind(models.TextChoices):
        PKP = "pkp", _("Puskesmas performance assessment (PKP)")
        CAPACITY = "capacity", _("Planning-capacity assessment")
        SUPERVISION = "supervision", _("Supervision checklist")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    code = models.SlugField(_("code"), max_length=40)
    valid_from = models.PositiveSmallIntegerField(
        _("applies from year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    # The top of the level scale (10 for the PKP's 0/4/7/10): scores are shown out of it.
    scale_max = models.DecimalField(
        _("highest score"), max_digits=6, decimal_places=2, default=Decimal("10")
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    is_verified = models.BooleanField(
        _("verified"),
        default=False,
        help_text=_("Ticked once checked against the regulation or the official guidance."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["kind", "code", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="instrument_unique_edition")
        ]
        verbose_name = _("assessment instrument")
        verbose_name_plural = _("assessment instruments")

    def __str__(self) -> str:
        return f"{self.label} ({self.valid_from})"

    @classmethod
    def for_year(cls, kind: str, year: int, code: str | None = None) -> Instrument | None:
        """The edition that applies to `year`: the latest of `kind` (and `code`) starting in or
        before it."""
        editions = cls.objects.filter(kind=kind, valid_from__lte=year)
        if code:
            editions = editions.filter(code=code)
        return editions.order_by("-valid_from", "-pk").first()

    def is_in_use(self) -> bool:
        """True once any result was made with this edition: then it is never edited again."""
        from .mentoring import CapacityAssessment
        from .pkp import PkpAssessment
        from .supervision import SupervisionVisit

        return (
            PkpAssessment.objects.filter(instrument=self).exists()
            or CapacityAssessment.objects.filter(instrument=self).exists()
            or SupervisionVisit.objects.filter(instrument=self).exists()
        )


class Section(Worded):
    instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="sections", verbose_name=_("instrument")
    )
    part = models.CharField(_("part"), max_length=12, choices=Part.choices, default=Part.TOPIC)
    code = models.CharField(_("code"), max_length=20)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(0)],
    )

    class Meta:
        ordering = ["instrument", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="section_unique_code")
        ]
        verbose_name = _("instrument section")
        verbose_name_plural = _("instrument sections")


class Item(models.Model):
    """One question of a section. Scored items (management part, topics) have levels; an item
    of the service part has a target instead: its result is coverage (PkpServiceResult)."""

    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="items", verbose_name=_("section")
    )
    code = models.CharField(_("code"), max_length=20)
    text = models.TextField(_("text"))
    text_en = models.TextField(_("text (English)"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(0)],
    )
    # A key of assessments.data_rules.RULES: fills the score (or the service figures) from
    # Simpul's data; empty: entered by hand.
    rule = models.CharField(_("filled from data by"), max_length=40, blank=True)
    guidance = models.TextField(_("how to verify"), blank=True)
    # Service part only: programme (the section) > variable > sub-variable > activity (text).
    variable = models.CharField(_("variable"), max_length=300, blank=True)
    sub_variable = models.CharField(_("sub-variable"), max_length=300, blank=True)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    target_pct = models.DecimalField(
        _("annual target (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    service = models.ForeignKey(
        "indicators.SPMService",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("SPM service"),
        help_text=_("When the activity is an SPM service, its figures come from Simpul's data."),
    )

    class Meta:
        ordering = ["section", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["section", "code"], name="item_unique_code")]
        verbose_name = _("instrument item")
        verbose_name_plural = _("instrument items")

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def label(self) -> str:
        if self.text_en and translation.get_language() == "en":
            return self.text_en
        return self.text


class Level(models.Model):
    """One scoring level of an item and what it means ("10: held 9-12 times a year")."""

    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="levels", verbose_name=_("item")
    )
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    definition = models.TextField(_("definition"))
    definition_en = models.TextField(_("definition (English)"), blank=True)

    class Meta:
        ordering = ["item", "score"]
        constraints = [models.UniqueConstraint(fields=["item", "score"], name="level_unique_score")]
        verbose_name = _("scoring level")
        verbose_name_plural = _("scoring levels")

    def __str__(self) -> str:
        return f"{self.score}: {self.label}"

    @property
    def label(self) -> str:
        if self.definition_en and translation.get_language() == "en":
            return self.definition_en
        return self.definition


class RankBand(models.Model):
    """Where a part's score ranks: the band with the highest `min_value` the score reaches.
    PKP: service part on % of target (e.g. good from 91), management part on the 0-10 scale
    (e.g. good from 8.5); an overall band, when the edition has one, on the mean of both."""

    class Applies(models.TextChoices):
        SERVICE = "service", _("Service part")
        MANAGEMENT = "management", _("Management part")
        OVERALL = "overall", _("Overall")

    instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="bands", verbose_name=_("instrument")
    )
    applies_to = models.CharField(_("applies to"), max_length=12, choices=Applies.choices)
    rank = models.CharField(_("rank"), max_length=6, choices=Rank.choices)
    min_value = models.DecimalField(_("from (inclusive)"), max_digits=7, decimal_places=2)

    class Meta:
        ordering = ["instrument", "applies_to", "-min_value"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "applies_to", "rank"], name="rank_band_unique"
            )
        ]
        verbose_name = _("rank band")
        verbose_name_plural = _("rank bands")

    def __str__(self) -> str:
        return f"{self.get_applies_to_display()}: {self.get_rank_display()} >= {self.min_value}"

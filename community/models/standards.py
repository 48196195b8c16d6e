"""What the reviews and assessments are measured against, as versioned data (DOMAIN.md §1, §7):
the strata criteria of a posyandu and of a desa/kelurahan siaga aktif, the cadres' 25 basic
skills in 5 groups, and the rules that turn skills into badges and levels. Criteria, thresholds,
the skill list and the level rules change: an edition is chosen by year (`for_year`), a review
keeps the edition it was computed with, and rows the sources do not confirm are unverified."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from indicators.models.spm import Bilingual


class Stratum(models.TextChoices):
    """Development strata, lowest first (posyandu and desa/kelurahan siaga aktif alike)."""

    PRATAMA = "pratama", "Pratama"
    MADYA = "madya", "Madya"
    PURNAMA = "purnama", "Purnama"
    MANDIRI = "mandiri", "Mandiri"


STRATA = [Stratum.PRATAMA, Stratum.MADYA, Stratum.PURNAMA, Stratum.MANDIRI]


class Edition(models.Model):
    """What editions of data share: from which year they apply, where they come from, and
    whether that source was seen (unverified rows are shown as such)."""

    name = models.CharField(_("name"), max_length=150)
    valid_from = models.PositiveSmallIntegerField(
        _("applies from year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    is_verified = models.BooleanField(
        _("verified"),
        default=False,
        help_text=_("Ticked once checked against the regulation or the official guidance."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from})"


class UkbmStandard(Edition):
    """One edition of the review criteria for a subject: a posyandu's strata and what makes it
    active, or a desa/kelurahan's siaga aktif strata."""

    class Subject(models.TextChoices):
        POSYANDU = "posyandu", "Posyandu"
        VILLAGE = "village", _("Desa/kelurahan siaga aktif")

    subject = models.CharField(_("for"), max_length=10, choices=Subject.choices)

    class Meta:
        ordering = ["subject", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "valid_from"], name="ukbm_standard_unique")
        ]
        verbose_name = _("UKBM review standard")
        verbose_name_plural = _("UKBM review standards")

    @classmethod
    def for_year(cls, subject: str, year: int) -> UkbmStandard | None:
        """The edition that applies to `year`: the latest starting in or before it."""
        return (
            cls.objects.filter(subject=subject, valid_from__lte=year)
            .order_by("-valid_from")
            .first()
        )


class Criterion(models.Model):
    """One condition of a stratum (or of being active): `measure` (a review's figure, named in
    community/rules.py) at least `minimum`. A stratum is reached when its criteria and those of
    every stratum below it are met; yes/no figures count 1 for yes."""

    class Goal(models.TextChoices):
        PRATAMA = "pratama", "Pratama"
        MADYA = "madya", "Madya"
        PURNAMA = "purnama", "Purnama"
        MANDIRI = "mandiri", "Mandiri"
        ACTIVE = "active", _("Active")

    standard = models.ForeignKey(
        UkbmStandard, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("standard")
    )
    goal = models.CharField(_("for"), max_length=10, choices=Goal.choices)
    measure = models.CharField(_("figure"), max_length=40)
    minimum = models.DecimalField(
        _("at least"), max_digits=7, decimal_places=2, validators=[MinValueValidator(0)]
    )
    is_verified = models.BooleanField(_("verified"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["standard", "goal", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "goal", "measure"], name="ukbm_criterion_unique"
            )
        ]
        verbose_name = _("stratum criterion")
        verbose_name_plural = _("stratum criteria")

    def __str__(self) -> str:
        return f"{self.get_goal_display()}: {self.measure} >= {self.minimum}"


class SkillGroup(models.TextChoices):
    """The five groups of a cadre's 25 basic skills (Kemenkes curriculum, 2024)."""

    MANAGEMENT = "management", _("Posyandu management")
    INFANTS = "infants", _("Infants and under-fives")
    PREGNANCY = "pregnancy", _("Pregnant and breastfeeding women")
    SCHOOL_AGE = "school_age", _("School age and adolescents")
    ADULTS = "adults", _("Adults and elderly")


class CadreLevel(models.TextChoices):
    """Cadre certification levels, lowest first."""

    PURWA = "purwa", "Purwa"
    MADYA = "madya", "Madya"
    UTAMA = "utama", "Utama"


LEVELS = [CadreLevel.PURWA, CadreLevel.MADYA, CadreLevel.UTAMA]


class SkillSet(Edition):
    """One edition of the cadres' basic skills with its badge and level rules."""

    badge_share = models.DecimalField(
        _("share of a group's skills for its badge (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(100),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_(
            "A cadre earns a group's skill badge once this share of its skills is competent."
        ),
    )

    class Meta:
        ordering = ["-valid_from"]
        constraints = [models.UniqueConstraint(fields=["valid_from"], name="skill_set_unique")]
        verbose_name = _("cadre skill set")
        verbose_name_plural = _("cadre skill sets")

    @classmethod
    def for_year(cls, year: int) -> SkillSet | None:
        return cls.objects.filter(valid_from__lte=year).order_by("-valid_from").first()


class Skill(Bilingual):
    """One basic skill of a cadre."""

    skill_set = models.ForeignKey(
        SkillSet, on_delete=models.CASCADE, related_name="skills", verbose_name=_("skill set")
    )
    group = models.CharField(_("group"), max_length=12, choices=SkillGroup.choices)
    number = models.PositiveSmallIntegerField(_("number"))
    is_verified = models.BooleanField(_("verified"), default=False)

    class Meta:
        ordering = ["skill_set", "number"]
        constraints = [
            models.UniqueConstraint(fields=["skill_set", "number"], name="skill_number_unique")
        ]
        verbose_name = _("cadre skill")
        verbose_name_plural = _("cadre skills")


class LevelRule(models.Model):
    """What a level needs: at least `min_skills` skills assessed competent and at least
    `min_badges` group badges (a level also needs every level below it)."""

    skill_set = models.ForeignKey(
        SkillSet, on_delete=models.CASCADE, related_name="level_rules", verbose_name=_("skill set")
    )
    level = models.CharField(_("level"), max_length=10, choices=CadreLevel.choices)
    min_skills = models.PositiveSmallIntegerField(_("skills competent, at least"), default=0)
    min_badges = models.PositiveSmallIntegerField(_("group badges, at least"), default=0)
    is_verified = models.BooleanField(_("verified"), default=False)

    class Meta:
        ordering = ["skill_set", "min_skills"]
        constraints = [
            models.UniqueConstraint(fields=["skill_set", "level"], name="level_rule_unique")
        ]
        verbose_name = _("cadre level rule")
        verbose_name_plural = _("cadre level rules")

    def __str__(self) -> str:
        return self.get_level_display()

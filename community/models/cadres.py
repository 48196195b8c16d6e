"""Posyandu cadres, their assessments per basic skill, and their attendance at training events
(meetings of the bimtek format). A cadre's badges and level follow from the assessments by the
skill set's rules (community/rules.py) and are stored when an assessment is saved."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kernel.models import AreaOwned, Puskesmas, ServicePoint, Versioned
from workshops.models import Meeting

from .reviews import AREA_PATHS
from .standards import CadreLevel, Skill, SkillSet


class Cadre(AreaOwned, Versioned):
    """A posyandu cadre (kader)."""

    class Sex(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")

    area_paths = AREA_PATHS

    puskesmas = models.ForeignKey(
        Puskesmas, on_delete=models.PROTECT, related_name="+", verbose_name=_("puskesmas")
    )
    service_point = models.ForeignKey(
        ServicePoint,
        on_delete=models.CASCADE,
        related_name="cadres",
        limit_choices_to={"kind": ServicePoint.Kind.POSYANDU},
        verbose_name=_("posyandu"),
    )
    name = models.CharField(_("name"), max_length=150)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.FEMALE)
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1930), MaxValueValidator(2100)],
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    since_year = models.PositiveSmallIntegerField(
        _("cadre since"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1950), MaxValueValidator(2100)],
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_trained = models.BooleanField(
        _("trained in the basic skills"),
        default=False,
        help_text=_("Took the Kemenkes training (e-learning and field practice)."),
    )
    # Computed from the assessments by the skill set's rules (community/rules.py).
    skill_set = models.ForeignKey(
        SkillSet,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("skill set"),
    )
    level = models.CharField(_("level"), max_length=10, choices=CadreLevel.choices, blank=True)
    skills_competent = models.PositiveSmallIntegerField(_("skills competent"), default=0)
    badges = models.JSONField(_("skill badges"), default=list, blank=True)  # SkillGroup values
    last_assessed_on = models.DateField(_("last assessed"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["service_point__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_point", "name", "birth_year"], name="cadre_unique_person"
            )
        ]
        verbose_name = _("cadre")
        verbose_name_plural = _("cadres")

    def __str__(self) -> str:
        return self.name

    @property
    def is_assessed(self) -> bool:
        return self.last_assessed_on is not None

    def clean(self) -> None:
        if self.service_point_id:
            if self.service_point.kind != ServicePoint.Kind.POSYANDU:
                raise ValidationError({"service_point": _("Choose a posyandu.")})
            if self.puskesmas_id and self.service_point.puskesmas_id != self.puskesmas_id:
                raise ValidationError({"service_point": _("Choose a posyandu of the puskesmas.")})


class SkillAssessment(AreaOwned, Versioned):
    """One assessment of one skill of a cadre, on a date, by an assessor (a puskesmas officer
    at a posyandu session, with the official instrument). The latest per skill counts."""

    class Result(models.TextChoices):
        COMPETENT = "competent", _("Competent")
        NOT_YET = "not_yet", _("Not yet competent")

    area_paths = {
        "province": "cadre__puskesmas__district__province",
        "district": "cadre__puskesmas__district",
        "puskesmas": "cadre__puskesmas",
    }

    cadre = models.ForeignKey(
        Cadre, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("cadre")
    )
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("skill")
    )
    assessed_on = models.DateField(_("assessed on"))
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessor"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["cadre", "skill__number", "-assessed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "skill", "assessed_on"], name="skill_assessment_one_a_day"
            )
        ]
        verbose_name = _("skill assessment")
        verbose_name_plural = _("skill assessments")


class TrainingAttendance(AreaOwned, models.Model):
    """A cadre invited to (and attending) a training event: a meeting of the bimtek format."""

    area_paths = {
        "province": "cadre__puskesmas__district__province",
        "district": "cadre__puskesmas__district",
        "puskesmas": "cadre__puskesmas",
    }

    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        related_name="cadre_attendance",
        verbose_name=_("training"),
    )
    cadre = models.ForeignKey(
        Cadre, on_delete=models.CASCADE, related_name="trainings", verbose_name=_("cadre")
    )
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    class Meta:
        ordering = ["meeting", "cadre__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "cadre"], name="training_attendance_unique")
        ]
        verbose_name = _("training attendance")
        verbose_name_plural = _("training attendance")

    def __str__(self) -> str:
        return f"{self.cadre} @ {self.meeting}"

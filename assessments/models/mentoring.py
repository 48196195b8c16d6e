"""Planning-capacity mentoring of a district (pendampingan tata kelola; DOMAIN.md §1, §7).

A planning mentor (kernel User.Role.MENTOR, assigned by kernel.models.MentorAssignment) keeps
these records for the districts assigned to them: the capacity assessment (baseline from the
FGD, then reviews), a plan of mentoring activities, visits and their notes, and the problems
mapped with the RTL agreed with the Dinkes, followed to done like meeting items
(workshops.models.outcomes.Tracked). The district's own data stays read-only to the mentor."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kernel.models import AreaOwned, District, Puskesmas, Versioned
from workshops.models.outcomes import Tracked

from .base import DISTRICT_PATHS, below, district_audit_area, score_field
from .instruments import Instrument, Item, Section


def _mentor_field(label):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=label,
    )


class DistrictRecord(AreaOwned, Versioned):
    area_paths = DISTRICT_PATHS

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    created_by = _mentor_field(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True

    def audit_area(self) -> dict[str, int | None]:
        return district_audit_area(self.district)


class CapacityAssessment(DistrictRecord):
    """The district's planning capacity scored on the instrument's topics, at the baseline (the
    FGD) and at each review."""

    class Stage(models.TextChoices):
        BASELINE = "baseline", _("Baseline")
        REVIEW = "review", _("Review")

    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="+", verbose_name=_("instrument")
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    held_on = models.DateField(_("held on"))
    # The FGD (a district meeting of the FGD format) where the assessment was made.
    meeting = models.ForeignKey(
        "workshops.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("FGD meeting"),
    )
    summary = models.TextField(_("summary"), blank=True)
    # Weighted mean of the scored topics on the instrument's scale (assessments/scoring.py).
    score = score_field(_("score"))

    class Meta:
        ordering = ["district__name", "held_on", "pk"]
        verbose_name = _("planning-capacity assessment")
        verbose_name_plural = _("planning-capacity assessments")

    def __str__(self) -> str:
        return f"{self.district} {self.get_stage_display()} {self.held_on}"


class CapacityScore(AreaOwned, Versioned):
    area_paths = below(DISTRICT_PATHS, "assessment")

    assessment = models.ForeignKey(
        CapacityAssessment,
        on_delete=models.CASCADE,
        related_name="scores",
        verbose_name=_("assessment"),
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    score = score_field(_("score"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["assessment", "item__section__order", "item__order", "item__code"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="capacity_score_unique")
        ]
        verbose_name = _("capacity score")
        verbose_name_plural = _("capacity scores")

    def __str__(self) -> str:
        return f"{self.assessment} {self.item.code}"

    def audit_area(self) -> dict[str, int | None]:
        return self.assessment.audit_area()


class MentoringActivity(DistrictRecord, Tracked):
    """One activity of the mentoring plan, from `starts_on` to `due_on` (Tracked: status,
    evidence when done, reason when dropped)."""

    title = models.CharField(_("activity"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    # The capacity topic the activity works on, when it is one.
    section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("topic"),
    )

    class Meta:
        ordering = ["district__name", "due_on", "pk"]
        verbose_name = _("mentoring activity")
        verbose_name_plural = _("mentoring activities")

    def __str__(self) -> str:
        return self.title


class MentoringVisit(DistrictRecord):
    """A mentor's visit to the Dinkes or one of its puskesmas, and what came of it."""

    visited_on = models.DateField(_("visited on"))
    mentor = _mentor_field(_("mentor"))
    puskesmas = models.ForeignKey(
        Puskesmas,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("puskesmas visited"),
        help_text=_("Empty: the district health office."),
    )
    activity = models.ForeignKey(
        MentoringActivity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("plan activity"),
    )
    topics = models.CharField(_("topics"), max_length=300, blank=True)
    notes = models.TextField(_("notes"))
    next_steps = models.TextField(_("next steps"), blank=True)

    class Meta:
        ordering = ["district__name", "-visited_on", "-pk"]
        verbose_name = _("mentoring visit")
        verbose_name_plural = _("mentoring visits")

    def __str__(self) -> str:
        return f"{self.district} {self.visited_on}"


class MentoringItem(DistrictRecord, Tracked):
    """A problem mapped with the Dinkes and the RTL agreed for it, followed to done."""

    problem = models.TextField(_("problem"))
    cause = models.TextField(_("cause"), blank=True)
    action = models.TextField(_("follow-up (RTL)"))
    responsible = models.CharField(_("person responsible"), max_length=200, blank=True)
    section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("topic"),
    )
    assessment = models.ForeignKey(
        CapacityAssessment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("from the assessment"),
    )
    visit = models.ForeignKey(
        MentoringVisit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("from the visit"),
    )

    class Meta:
        ordering = ["district__name", "due_on", "pk"]
        verbose_name = _("mentoring RTL item")
        verbose_name_plural = _("mentoring RTL items")

    def __str__(self) -> str:
        return self.action[:80]

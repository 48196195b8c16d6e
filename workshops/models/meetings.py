"""Meetings: lokakarya mini (monthly, quarterly cross-sector), district forums and other meetings.

DOMAIN.md §1 and §3 (P2). A meeting belongs to the area that holds it: a lokmin to its puskesmas,
a forum to its district, a provincial meeting to its province. `area_paths` make it visible to
that area and the areas above it, like everything else (kernel.scoping).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kernel.models import AreaOwned, District, PartnerOrganisation, Province, Puskesmas
from kernel.models.edits import Versioned

MEETING_AREA_PATHS = {"province": "province", "district": "district", "puskesmas": "puskesmas"}


def _via_meeting(paths: dict[str, str]) -> dict[str, str]:
    return {kind: f"meeting__{lookup}" for kind, lookup in paths.items()}


HEALTH_SECTOR = "health"
# A participant's or an RTL item's sector: health, then the partner sectors with their codes.
SECTOR_CHOICES = [(HEALTH_SECTOR, _("Health")), *PartnerOrganisation.Sector.choices]


class MeetingQuerySet(models.QuerySet):
    def held(self) -> MeetingQuerySet:
        return self.filter(status__in=Meeting.HELD_STATUSES)

    def lokmin(self) -> MeetingQuerySet:
        return self.filter(kind__in=Meeting.LOKMIN_KINDS)


class Meeting(AreaOwned, Versioned):
    class Kind(models.TextChoices):
        MONTHLY_LOKMIN = "monthly_lokmin", _("Monthly lokakarya mini")
        QUARTERLY_LOKMIN = "quarterly_lokmin", _("Quarterly cross-sector lokakarya mini")
        DISTRICT_FORUM = "district_forum", _("District cross-sector forum")
        DISTRICT_MEETING = "district_meeting", _("Other district meeting")
        PROVINCE_MEETING = "province_meeting", _("Provincial meeting")

    class Format(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        FGD = "fgd", _("Focus group discussion (FGD)")
        TRAINING = "training", _("Technical training (bimtek)")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CLOSED = "closed", _("Closed")

    class PriorityMethod(models.TextChoices):
        USG = "usg", "USG"
        HANLON = "hanlon", "Hanlon"
        CARL = "carl", "CARL"

    # Which area each kind belongs to.
    LEVEL_OF_KIND = {
        Kind.MONTHLY_LOKMIN: "puskesmas",
        Kind.QUARTERLY_LOKMIN: "puskesmas",
        Kind.DISTRICT_FORUM: "district",
        Kind.DISTRICT_MEETING: "district",
        Kind.PROVINCE_MEETING: "province",
    }
    LOKMIN_KINDS = (Kind.MONTHLY_LOKMIN, Kind.QUARTERLY_LOKMIN)
    CROSS_SECTOR_KINDS = (Kind.QUARTERLY_LOKMIN, Kind.DISTRICT_FORUM)
    HELD_STATUSES = (Status.HELD, Status.CLOSED)

    area_paths = MEETING_AREA_PATHS

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    format = models.CharField(
        _("format"), max_length=10, choices=Format.choices, default=Format.MEETING
    )
    title = models.CharField(_("title"), max_length=200)
    is_team_forming = models.BooleanField(
        _("team forming (penggalangan tim)"),
        default=False,
        help_text=_("The year's first lokmin, which also forms the team."),
    )
    # The area that holds the meeting; province is always set, the others by level.
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("province")
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("district"),
    )
    puskesmas = models.ForeignKey(
        Puskesmas,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("puskesmas"),
    )
    held_on = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200)
    chair_name = models.CharField(_("chair"), max_length=150, blank=True)
    chair_position = models.CharField(_("chair's position"), max_length=150, blank=True)
    speaker = models.CharField(
        _("speakers"), max_length=250, blank=True, help_text=_("Narasumber, e.g. Dinkes.")
    )
    agenda = models.TextField(_("agenda"), blank=True, help_text=_("One item per line."))
    priority_method = models.CharField(
        _("prioritisation method"),
        max_length=10,
        choices=PriorityMethod.choices,
        default=PriorityMethod.USG,
    )
    minutes = models.TextField(_("minutes (notulen)"), blank=True)
    agreement_text = models.TextField(
        _("joint agreement"),
        blank=True,
        help_text=_("What all parties agree, printed above the commitments and signatures."),
    )
    signed_agreement = models.FileField(
        _("signed agreement (scan)"), upload_to="meetings/agreements/%Y/", blank=True
    )
    signed_agreement_at = models.DateTimeField(_("signed scan uploaded at"), null=True, blank=True)
    signed_agreement_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed scan uploaded by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    # version, updated_by, updated_at (Versioned): bumped by every write to the meeting itself,
    # so a save from an older form is refused (kernel/versioning.py).
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    history = HistoricalRecords()

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["puskesmas", "kind", "held_on"], name="meeting_puskesmas_kind"),
            models.Index(fields=["district", "kind", "held_on"], name="meeting_district_kind"),
        ]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%d-%m-%Y})"

    @property
    def level(self) -> str:
        return self.LEVEL_OF_KIND[self.kind]

    @property
    def is_lokmin(self) -> bool:
        return self.kind in self.LOKMIN_KINDS

    @property
    def is_cross_sector(self) -> bool:
        return self.kind in self.CROSS_SECTOR_KINDS

    @property
    def year(self) -> int:
        return self.held_on.year

    @property
    def quarter(self) -> int:
        return (self.held_on.month - 1) // 3 + 1

    @property
    def review_month(self) -> tuple[int, int]:
        """(year, month) of the data the meeting reviews: the month before it is held."""
        first = self.held_on.replace(day=1)
        previous = first - datetime.timedelta(days=1)
        return previous.year, previous.month

    @property
    def owner(self) -> Province | District | Puskesmas:
        return {"puskesmas": self.puskesmas, "district": self.district}.get(
            self.level, self.province
        )

    def clean(self) -> None:
        errors = {}
        level = self.LEVEL_OF_KIND.get(self.kind)
        if level == "puskesmas" and not self.puskesmas_id:
            errors["puskesmas"] = _("A lokakarya mini belongs to a puskesmas.")
        if level in ("district", "province") and self.puskesmas_id:
            errors["puskesmas"] = _("Only a lokakarya mini belongs to a puskesmas.")
        if level == "district" and not self.district_id:
            errors["district"] = _("A district meeting belongs to a district.")
        if level == "province" and self.district_id:
            errors["district"] = _("A provincial meeting belongs to no district.")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The meeting must end after it starts.")
        if errors:
            raise ValidationError(errors)

    def set_area(self, area: Province | District | Puskesmas) -> None:
        """Point province, district and puskesmas at the area that holds the meeting."""
        if isinstance(area, Puskesmas):
            self.puskesmas, self.district = area, area.district
            self.province_id = area.district.province_id
        elif isinstance(area, District):
            self.puskesmas, self.district, self.province_id = None, area, area.province_id
        else:
            self.puskesmas, self.district, self.province = None, None, area


class Participant(AreaOwned, Versioned):
    """Someone invited to, or attending, a meeting: staff, a partner's delegate, a village head."""

    area_paths = _via_meeting(MEETING_AREA_PATHS)

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="participants", verbose_name=_("meeting")
    )
    name = models.CharField(_("name"), max_length=150)
    position = models.CharField(_("position"), max_length=150, blank=True)
    organisation = models.CharField(_("organisation"), max_length=150, blank=True)
    sector = models.CharField(_("sector"), max_length=30, choices=SECTOR_CHOICES)
    partner = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_participants",
        verbose_name=_("partner organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_participations",
        verbose_name=_("staff member"),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_invited = models.BooleanField(_("invited"), default=True)
    # None until attendance is taken; True present, False absent.
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    signs_agreement = models.BooleanField(
        _("signs the agreement"),
        default=False,
        help_text=_("Gets a signature block on the joint agreement."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "order", "pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.name


class Photo(AreaOwned, Versioned):
    """A photo of the meeting, stored resized for phones (services check type and size)."""

    area_paths = _via_meeting(MEETING_AREA_PATHS)

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="photos", verbose_name=_("meeting")
    )
    image = models.ImageField(
        _("photo"), upload_to="meetings/photos/%Y/", width_field="width", height_field="height"
    )
    thumbnail = models.ImageField(_("thumbnail"), upload_to="meetings/photos/%Y/thumbs/")
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        ordering = ["meeting", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.caption or self.image.name

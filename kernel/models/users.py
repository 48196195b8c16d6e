"""Users: one role and one area each (a province, a district or a puskesmas)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .areas import AreaOwned, District, Province
from .edits import Versioned
from .organisation import Puskesmas


class User(AreaOwned, Versioned, AbstractUser):
    """A person who logs in, with one role and the one area that role works in."""

    class Role(models.TextChoices):
        PROVINCE_REVIEWER = "province_reviewer", _("Provincial reviewer")
        DISTRICT_PLANNER = "district_planner", _("District planner")
        PUSKESMAS_HEAD = "puskesmas_head", _("Puskesmas head")
        PUSKESMAS_STAFF = "puskesmas_staff", _("Puskesmas staff")
        SYSTEM_ADMIN = "system_admin", _("System administrator")
        # Issue #18: a planning mentor (pendamping) of the ministry or a university, assigned to
        # districts for a period (MentorAssignment): reads everything of those districts, writes
        # only the mentoring records. No area field: kernel.scoping reads the assignments.
        MENTOR = "mentor", _("Planning mentor")

    # A user has only the area its role works in: a puskesmas head's district is its
    # puskesmas's, so a district sees the users of its puskesmas too (kernel.scoping OR-s these).
    area_paths = {
        "province": ("province", "district__province", "puskesmas__district__province"),
        "district": ("district", "puskesmas__district"),
        "puskesmas": "puskesmas",
    }

    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("province"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("district"),
    )
    puskesmas = models.ForeignKey(
        Puskesmas,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("puskesmas"),
    )
    position = models.CharField(_("position"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # Set on an account made by someone else (it has no password yet) or given a temporary
    # password: until its owner sets their own, every page leads to the password change
    # (kernel.accounts_gate). Cleared by the first login, a password change or a reset.
    # A service account (issue #19): no password, never signs in; it acts through API tokens
    # its district's planner creates, with its role and area like anyone else.
    is_service_account = models.BooleanField(_("service account"), default=False, editable=False)
    must_change_password = models.BooleanField(_("must change password"), default=False)
    # Kept by kernel.twofactor when an authenticator is confirmed or removed (also through
    # Django admin): the two-factor gate reads it from the user row every request already loads,
    # instead of a query for the devices on every page.
    two_factor_on = models.BooleanField(_("two-factor sign-in on"), default=False, editable=False)

    class EmailNotifications(models.TextChoices):
        """When notifications are also e-mailed (kernel.notifications; issue #15)."""

        IMMEDIATELY = "immediately", _("At once, one e-mail each")
        DAILY = "daily", _("Once a day, in one e-mail")
        NEVER = "never", _("Never: only in Simpul's inbox")

    email_notifications = models.CharField(
        _("e-mail notifications"),
        max_length=12,
        choices=EmailNotifications.choices,
        default=EmailNotifications.DAILY,
    )

    class Meta(AbstractUser.Meta):
        db_table = "indicators_user"  # its table from before the kernel app
        verbose_name = _("user")
        verbose_name_plural = _("users")

    # Which area field each role needs: a user works in exactly one area.
    ROLE_AREA_FIELD = {
        Role.PROVINCE_REVIEWER: "province",
        Role.DISTRICT_PLANNER: "district",
        Role.PUSKESMAS_HEAD: "puskesmas",
        Role.PUSKESMAS_STAFF: "puskesmas",
        Role.SYSTEM_ADMIN: None,
        Role.MENTOR: None,
    }

    def clean(self) -> None:
        super().clean()
        needed = self.ROLE_AREA_FIELD.get(self.role)
        errors = {}
        for field in ("province", "district", "puskesmas"):
            value = getattr(self, f"{field}_id")
            if field == needed and value is None:
                errors[field] = _("This role works in one %(area)s: choose it.") % {
                    "area": self._meta.get_field(field).verbose_name
                }
            elif field != needed and value is not None:
                errors[field] = _("Leave this empty for the role you chose.")
        if errors:
            raise ValidationError(errors)

    @cached_property
    def mentored_district_ids(self) -> tuple[int, ...]:
        """A planning mentor's districts, by their assignments running today (kept for the
        request: the user is loaded once per request); () for every other role."""
        if self.role != self.Role.MENTOR or not self.pk:
            return ()
        return tuple(
            MentorAssignment.objects.current()
            .filter(user_id=self.pk)
            .values_list("district_id", flat=True)
            .distinct()
            .order_by("district_id")
        )

    @property
    def area(self) -> Province | District | Puskesmas | None:
        field = self.ROLE_AREA_FIELD.get(self.role)
        return getattr(self, field) if field else None

    def audit_area(self) -> dict[str, int | None]:
        """Where events about this account are seen (kernel.audit): its puskesmas, district and
        province, whichever its role works in (all None for a system administrator, whose
        account events only system administrators see)."""
        province_id = district_id = puskesmas_id = None
        if self.puskesmas_id is not None:
            puskesmas_id = self.puskesmas_id
            district_id = self.puskesmas.district_id
            province_id = self.puskesmas.district.province_id
        elif self.district_id is not None:
            district_id = self.district_id
            province_id = self.district.province_id
        elif self.province_id is not None:
            province_id = self.province_id
        return {
            "province_id": province_id,
            "district_id": district_id,
            "puskesmas_id": puskesmas_id,
        }

    @property
    def is_system_admin(self) -> bool:
        return self.role == self.Role.SYSTEM_ADMIN or self.is_superuser


class MentorAssignmentQuerySet(models.QuerySet):
    def current(self, on=None):
        """Assignments running on `on` (today by default)."""
        from django.utils import timezone

        day = on or timezone.localdate()
        return self.filter(starts_on__lte=day).filter(
            models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=day)
        )


class MentorAssignment(AreaOwned, Versioned):
    """A planning mentor (User.Role.MENTOR) assigned to one district for a period (issue #18).
    While it runs the mentor reads everything of the district (kernel.scoping) and keeps its
    mentoring records; the district's own data stays read-only to them."""

    area_paths = {"province": "district__province", "district": "district"}

    user = models.ForeignKey(
        "kernel.User",
        on_delete=models.CASCADE,
        related_name="mentor_assignments",
        verbose_name=_("mentor"),
        limit_choices_to={"role": "mentor"},
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="mentor_assignments",
        verbose_name=_("district"),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True, help_text=_("Empty: open."))
    organisation = models.CharField(
        _("mentoring organisation"),
        max_length=200,
        blank=True,
        help_text=_("The university or ministry unit the mentor comes from."),
    )
    created_by = models.ForeignKey(
        "kernel.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MentorAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["district__name", "-starts_on"]
        verbose_name = _("mentor assignment")
        verbose_name_plural = _("mentor assignments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="mentor_assignment_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.district}"

    def clean(self) -> None:
        super().clean()
        if self.user_id and self.user.role != User.Role.MENTOR:
            raise ValidationError({"user": _("Only a planning mentor can be assigned.")})
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end comes before the start.")})

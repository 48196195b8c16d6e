"""Jobs: a spreadsheet upload worked on in the background (the one import pipeline,
`kernel.imports`), and a file prepared in the background (`kernel.services.exports`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .areas import AreaOwned


class BackgroundJob(AreaOwned, models.Model):
    """What import and export jobs share: the area they belong to, their parameters, the
    language their messages are in, attempts, progress (`done` of `total`) and times."""

    area_paths = {
        "province": "province",
        "district": "district",
        "puskesmas": "puskesmas",
    }

    # An import's area is what it imports into (a province for provincial meetings, a
    # district, or a puskesmas with its district); an export's, its requester's (defence in
    # depth beside `created_by`).
    province = models.ForeignKey(
        "kernel.Province",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    district = models.ForeignKey(
        "kernel.District",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    puskesmas = models.ForeignKey(
        "kernel.Puskesmas",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("puskesmas"),
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, default="id")
    # Each retry is a new attempt: a message of an earlier attempt delivered late does nothing.
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    file_name = models.CharField(_("file name"), max_length=200)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"  # type: ignore[attr-defined]

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


class ImportJob(BackgroundJob):
    """A spreadsheet upload worked on in the background; its page polls `done` of `total`.

    Every import goes through one runner (kernel/imports): `kind` names the declared
    importer, `params` what it imports into (a meeting, a plan, a year...). The job belongs to
    the area it imports into; a province sees only its own provincial imports, never what a
    district or puskesmas uploaded.
    """

    class Kind(models.TextChoices):
        MONTHLY_VALUES = "monthly_values", _("Monthly values")
        TARGETS = "targets", _("Targets")
        POPULATION = "population", _("Population")
        SERVICE_POINTS = "service_points", _("Service points")
        PARTICIPANTS = "participants", _("Meeting participants")
        RTL_ITEMS = "rtl_items", _("RTL items")
        RUK_ACTIVITIES = "ruk_activities", _("RUK activities")
        ACCOUNTS = "accounts", _("Accounts")
        QUALITY_VALUES = "quality_values", _("Quality values")
        UKBM_REVIEWS = "ukbm_reviews", _("Posyandu reviews")
        CADRES = "cadres", _("Cadres")
        INSTRUMENTS = "instruments", _("Assessment instruments")
        # Issue #19: data exchange with other systems.
        DHIS2_VALUES = "dhis2_values", _("DHIS2 data values")
        SATUSEHAT_REGIONS = "satusehat_regions", _("SATUSEHAT regions")
        SATUSEHAT_FACILITIES = "satusehat_facilities", _("SATUSEHAT facilities")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Working")
        DONE = "done", _("Done")
        FAILED = "failed", _("Refused")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    errors = models.JSONField(_("errors"), default=list, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        db_table = "indicators_importjob"  # its table from before the kernel app
        ordering = ["-created_at"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")


class ExportJob(BackgroundJob):
    """A file prepared in the background (a year's data, a PDF) for the person who asked.

    `kind` names a builder registered with `kernel.services.exports.export_kind_register`;
    `params` what to build (a year, a report, a meeting...). The job carries its requester's
    area, and its page and file open only for the requester: another person's file is a 404,
    whoever they are. The builder reads through the same selectors and scoping as the page, as
    the requester, when it runs.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Working")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("asked by"),
    )
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "-created_at"])]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def is_pdf(self) -> bool:
        return self.file_name.lower().endswith(".pdf")

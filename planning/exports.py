"""The plans' PDFs made in the background (kernel/services/exports.py): the RUK (or the Dinkes
activity plan) and its implementation plan (RPK).

Each builder reads as the person who asked, through the same scoping and selectors as the
plan's page: a plan they may no longer open fails the job (404) instead of leaking.
"""

from __future__ import annotations

from typing import BinaryIO

from django.http import Http404
from django.utils.translation import gettext_lazy

from kernel.models import ExportJob
from kernel.scoping import get_in_area_or_404
from kernel.services.exports import ExportKind, Progress, export_kind_register

from . import documents, selectors
from .models import Plan

RUK_PDF = "planning.ruk_pdf"
RPK_PDF = "planning.rpk_pdf"


def _plan(job: ExportJob) -> Plan:
    user = job.created_by
    return get_in_area_or_404(selectors.plans_visible(user=user), user, pk=job.params["plan"])


def ruk_pdf(job: ExportJob, out: BinaryIO, progress: Progress) -> None:
    detail = selectors.plan_detail(plan=_plan(job), user=job.created_by)
    out.write(documents.ruk_pdf(detail, base_url=job.params["_base_url"]))


def rpk_pdf(job: ExportJob, out: BinaryIO, progress: Progress) -> None:
    plan = _plan(job)
    if not plan.is_approved and not plan.is_dinkes:  # a RUK's RPK exists once it is approved
        raise Http404
    out.write(documents.rpk_pdf(selectors.rpk_get(plan=plan), base_url=job.params["_base_url"]))


export_kind_register(RUK_PDF, ExportKind(label=gettext_lazy("RUK (PDF)"), build=ruk_pdf))
export_kind_register(RPK_PDF, ExportKind(label=gettext_lazy("RPK (PDF)"), build=rpk_pdf))

"""The yearly posyandu and desa siaga aktif reviews (issue #17): the list of a year (a
puskesmas: its posyandu and desa with an "open review" button each; a district: its
puskesmas's reviews with the strata per puskesmas; a province: its districts' approved
strata), one review's phone-first page (figures, the stratum with its reasons, the workflow
and the history), and the posyandu reviews' Excel template and import. Thin: services write,
selectors read.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.forms import UploadForm
from kernel.models import ImportJob, ServicePoint, Village
from kernel.roles import is_mentor
from kernel.scoping import get_in_area_or_404
from kernel.spreadsheets import XLSX_CONTENT_TYPE
from kernel.tables import Col, Table, table_page
from kernel.versioning import StaleEdit, VersionedForm
from kernel.views.imports import start_import
from kernel.web import query_int, query_year, run_service, wants_xlsx

from ..importers import review_template
from ..models import PosyanduReview, Stratum, VillageReview
from ..rights import can_check_review, can_check_reviews, can_fill_review
from ..rules import shortfall_text
from ..selectors import reviews as selectors
from ..services import reviews as services

YEARS_BACK = 4
SECTIONS = "community/_sections.html"  # the community tabs (registry part)
Status = PosyanduReview.Status


def _years() -> range:
    this_year = timezone.localdate().year
    return range(this_year, this_year - YEARS_BACK - 1, -1)


def _version(text) -> int | None:
    try:
        number = int(str(text or "").strip()[:12])
    except ValueError:
        return None
    return number if number >= 0 else None


# --- The list -----------------------------------------------------------------------------------


def _reasons(line) -> str:
    if line.review is None:
        return ""
    return "; ".join(shortfall_text(shortfall, line.kind) for shortfall in line.review.shortfalls)


REVIEW_TABLE = Table(
    filename="ukbm-reviews.xlsx",
    sheet=gettext_lazy("Reviews"),
    empty=gettext_lazy("No review of this year matches."),
    columns=[
        Col(gettext_lazy("Puskesmas"), "puskesmas.name", wrap=True),
        Col(gettext_lazy("Kind"), "kind_label", phone=False),
        Col(gettext_lazy("Name"), "name", wrap=True, link=lambda line: line.url),
        Col(gettext_lazy("Desa"), "village_name", phone=False),
        Col(
            gettext_lazy("Status"),
            "status_label",
            badge=lambda line: f"status-{line.status}" if line.status else None,
        ),
        Col(
            gettext_lazy("Stratum"),
            "stratum_label",
            badge=lambda line: f"stratum stratum-{line.stratum}" if line.stratum else None,
        ),
        Col(gettext_lazy("Active"), "is_active", "yesno", phone=False),
        Col(gettext_lazy("Criteria not met"), _reasons, phone=False, wrap=True),
    ],
)


class StatusFilter(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Every status")), *Status.choices],
    )

    def value(self) -> str:
        return self.cleaned_data.get("status", "") if self.is_valid() else ""


def _export(lines, year: int) -> HttpResponse:
    response = REVIEW_TABLE.export(lines)
    response["Content-Disposition"] = f'attachment; filename="ukbm-reviews-{year}.xlsx"'
    return response


@login_required
def review_list(request):
    user = request.user
    year = query_year(request)
    context = {"year": year, "years": _years(), "sections": SECTIONS, "strata": Stratum.labels}
    if user.puskesmas_id is not None:
        lines = selectors.puskesmas_review_lines(user=user, puskesmas=user.puskesmas, year=year)
        if wants_xlsx(request):
            return _export(lines, year)
        context |= {
            "posyandu_lines": [line for line in lines if line.kind == selectors.POSYANDU],
            "village_lines": [line for line in lines if line.kind == selectors.VILLAGE],
            "puskesmas": user.puskesmas,
            "can_fill": can_fill_review(user, user.puskesmas),
        }
        return render(request, "community/review_puskesmas.html", context)
    if can_check_reviews(user) or user.district_id is not None or is_mentor(user):
        status_filter = StatusFilter(request.GET or None)
        status = status_filter.value()
        lines = selectors.review_lines(user=user, year=year, status=status)
        context |= {
            "strata_rows": selectors.district_strata(user=user, year=year),
            "status_filter": status_filter,
            "status": status,
        }
        return table_page(
            request,
            table=REVIEW_TABLE,
            rows=lines,
            template="community/review_district.html",
            context=context,
        )
    if user.province_id is None and not user.is_system_admin:
        raise PermissionDenied
    if wants_xlsx(request):
        return _export(selectors.review_lines(user=user, year=year), year)
    context["strata_rows"] = selectors.province_strata(user=user, year=year)
    return render(request, "community/review_province.html", context)


# --- Opening a review ---------------------------------------------------------------------------


def _opened(request, call):
    try:
        review = call()
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect(
            reverse("community:review-list") + f"?year={request.POST.get('year', '')[:4]}"
        )
    name = (
        "community:posyandu-review"
        if isinstance(review, PosyanduReview)
        else "community:village-review"
    )
    return redirect(name, pk=review.pk)


@login_required
def posyandu_review_open(request, pk):
    point = get_in_area_or_404(
        ServicePoint.objects.filter(kind=ServicePoint.Kind.POSYANDU), request.user, pk=pk
    )
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    return _opened(
        request,
        lambda: services.posyandu_review_open(
            service_point=point, year=request.POST.get("year"), by=request.user
        ),
    )


@login_required
def village_review_open(request, pk):
    village = get_in_area_or_404(Village, request.user, pk=pk)
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    return _opened(
        request,
        lambda: services.village_review_open(
            village=village, year=request.POST.get("year"), by=request.user
        ),
    )


# --- One review ---------------------------------------------------------------------------------


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


class ReviewForm(VersionedForm):
    """A review's typed figures and note: text in, checked by the service (a comma works as
    the decimal point); yes/no figures as a choice."""

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        model = type(review)
        for name in services.figures_of(model):
            field = model._meta.get_field(name)
            label, help_text = capfirst(field.verbose_name), field.help_text
            if name in services.YES_NO_FIGURES:
                self.fields[name] = forms.ChoiceField(
                    label=label,
                    help_text=help_text,
                    required=False,
                    choices=[("", "–"), ("1", _("Yes")), ("0", _("No"))],
                )
            else:
                percent = name in services.PERCENT_FIGURES
                self.fields[name] = forms.CharField(
                    label=label,
                    help_text=help_text,
                    required=False,
                    max_length=20,
                    widget=forms.TextInput(
                        attrs={
                            "inputmode": "decimal" if percent else "numeric",
                            "autocomplete": "off",
                        }
                    ),
                )
            self.initial.setdefault(name, _shown(getattr(review, name)))
        self.fields["note"] = forms.CharField(
            label=_("Note"),
            required=False,
            max_length=services.NOTE_LENGTH,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
        self.initial.setdefault("note", review.note)
        self.initial.setdefault("version", review.version)


def _figures(review) -> list[tuple[str, str, str]]:
    """The review's typed figures as the page shows them read-only."""
    model, shown = type(review), []
    for name in services.figures_of(review):
        value = getattr(review, name)
        if value is None:
            text = "–"
        elif isinstance(value, bool):
            text = _("Yes") if value else _("No")
        elif name in services.PERCENT_FIGURES:
            text = f"{number_format(value, decimal_pos=1)}%"
        else:
            text = number_format(value)
        shown.append((name, str(model._meta.get_field(name).verbose_name), text))
    return shown


def _review_page(request, review, *, form=None, status=200):
    user = request.user
    can_fill = review.is_editable and can_fill_review(user, review)
    if form is None and can_fill:
        form = ReviewForm(review=review)
    context = {
        "view": selectors.review_detail(review=review, user=user),
        "review": review,
        "form": form,
        "can_fill": can_fill,
        "can_submit": can_fill and not services.missing_figures(review),
        "missing": services.missing_figures(review),
        "can_check": can_check_review(user, review),
        "figures": _figures(review),
        "step_url": reverse(
            "community:posyandu-review-step"
            if isinstance(review, PosyanduReview)
            else "community:village-review-step",
            args=[review.pk],
        ),
        "sections": SECTIONS,
    }
    return render(request, "community/review_detail.html", context, status=status)


def _review(request, model, pk):
    if model is PosyanduReview:
        readable = selectors.readable_posyandu_reviews(user=request.user).select_related(
            "service_point__village", "puskesmas__district", "standard"
        )
    else:
        readable = selectors.readable_village_reviews(user=request.user).select_related(
            "village", "puskesmas__district", "standard"
        )
    return get_in_area_or_404(
        readable.select_related("updated_by", "submitted_by", "decided_by"), request.user, pk=pk
    )


def _review_view(request, model, pk):
    review = _review(request, model, pk)
    if request.method != "POST":
        return _review_page(request, review)
    if not can_fill_review(request.user, review):
        raise PermissionDenied
    form = ReviewForm(request.POST, review=review)
    if form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        saved = run_service(
            request,
            form,
            lambda: services.review_save(
                review=review,
                values=values,
                version=form.cleaned_data.get("version"),
                by=request.user,
            ),
        )
        if saved:
            messages.success(request, _("Saved."))
            return redirect(request.path)
    shown = _review(request, model, pk)  # as saved: the refused values stay on the form
    return _review_page(request, shown, form=form, status=409 if form.stale else 400)


@login_required
def posyandu_review(request, pk):
    return _review_view(request, PosyanduReview, pk)


@login_required
def village_review(request, pk):
    return _review_view(request, VillageReview, pk)


DONE = {
    "submit": gettext_lazy("Review submitted to the district."),
    "return": gettext_lazy("Review returned to the puskesmas."),
    "approve": gettext_lazy("Review approved."),
    "reopen": gettext_lazy("Review reopened for the puskesmas."),
}


def _step_view(request, model, pk):
    review = _review(request, model, pk)
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    step = str(request.POST.get("step", ""))[:20]
    try:
        services.review_step(
            review=review,
            step=step,
            by=request.user,
            version=_version(request.POST.get("version")),
            reason=str(request.POST.get("reason", ""))[:2000],
        )
    except PermissionDenied as error:
        raise PermissionDenied(str(error)) from error
    except (ValidationError, StaleEdit) as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, str(DONE[step]))
    name = "community:posyandu-review" if model is PosyanduReview else "community:village-review"
    return redirect(name, pk=review.pk)


@login_required
def posyandu_review_step(request, pk):
    return _step_view(request, PosyanduReview, pk)


@login_required
def village_review_step(request, pk):
    return _step_view(request, VillageReview, pk)


# --- Excel: template and import -----------------------------------------------------------------


def _own_puskesmas(request):
    puskesmas = request.user.puskesmas if request.user.puskesmas_id else None
    if puskesmas is None or not can_fill_review(request.user, puskesmas):
        raise PermissionDenied
    return puskesmas


@login_required
def review_template_download(request):
    puskesmas = _own_puskesmas(request)
    year = query_year(request)
    content = review_template(puskesmas=puskesmas, year=year)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    name = f"posyandu-review-{puskesmas.code}-{year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class ReviewUploadForm(UploadForm):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in _years()]


@login_required
def review_import(request):
    puskesmas = _own_puskesmas(request)
    year = query_int(request, "year", default=timezone.localdate().year, low=2000, high=2100)
    form = ReviewUploadForm(request.POST or None, request.FILES or None, initial={"year": year})
    if request.method == "POST" and form.is_valid():
        started = start_import(
            request,
            form,
            kind=ImportJob.Kind.UKBM_REVIEWS,
            params={"year": form.cleaned_data["year"]},
        )
        if started:
            return started
    context = {"form": form, "puskesmas": puskesmas, "year": year, "sections": SECTIONS}
    return render(request, "community/review_import.html", context)


urlpatterns = [
    path("reviews/", review_list, name="review-list"),
    path("reviews/template/", review_template_download, name="review-template"),
    path("reviews/import/", review_import, name="review-import"),
    path("reviews/posyandu/<int:pk>/", posyandu_review, name="posyandu-review"),
    path("reviews/posyandu/<int:pk>/step/", posyandu_review_step, name="posyandu-review-step"),
    path("reviews/desa/<int:pk>/", village_review, name="village-review"),
    path("reviews/desa/<int:pk>/step/", village_review_step, name="village-review-step"),
    path("posyandu/<int:pk>/reviews/new/", posyandu_review_open, name="posyandu-review-open"),
    path("desa/<int:pk>/reviews/new/", village_review_open, name="village-review-open"),
]

"""The community layer's UKBM indicator pages (issue #17 must-have 4): the year's board at the
user's level (the province compares its districts, a district its targets against its value and
its puskesmas, a puskesmas its own values) with its .xlsx; "Recompute now"; the province's set
for a year and its targets per district in one grid form (versioned). Each views module
declares its own URLs."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kernel.models import Province
from kernel.roles import is_system_admin
from kernel.scoping import get_in_area_or_404, in_area
from kernel.tables import Col, Table
from kernel.versioning import OnceForm, StaleEdit, create_once
from kernel.web import FIRST_YEAR, LAST_YEAR, query_id, query_year, wants_xlsx
from workshops.models import Meeting

from ..models import IndicatorResult, IndicatorSet, UkbmIndicator
from ..rights import can_read_indicators, can_set_indicators
from ..selectors import indicators as selectors
from ..services import indicator_sets
from ..services import indicators as services

YEARS_BACK, YEARS_AHEAD = 4, 1


def _years() -> range:
    this_year = timezone.localdate().year
    return range(this_year + YEARS_AHEAD, this_year - YEARS_BACK - 1, -1)


def _home(year: int) -> str:
    return f"{reverse('community:indicator-home')}?year={year}"


# --- The board -----------------------------------------------------------------------------------

IndicatorLevel = IndicatorResult.Level

BOARD_TABLE = Table(
    filename="ukbm-indicators.xlsx",
    sheet=gettext_lazy("UKBM indicators"),
    empty=gettext_lazy("No indicator computed yet."),
    columns=[
        Col(gettext_lazy("Level"), lambda r: IndicatorLevel(r[0].level).label),
        Col(gettext_lazy("Area"), lambda r: r[0].name, wrap=True),
        Col(gettext_lazy("Indicator"), lambda r: r[1].indicator.label, wrap=True),
        Col(gettext_lazy("Target (%)"), lambda r: r[1].target, "percent"),
        Col(gettext_lazy("Numerator"), lambda r: r[1].result and r[1].result.numerator, "number"),
        Col(
            gettext_lazy("Denominator"),
            lambda r: r[1].result and r[1].result.denominator,
            "number",
        ),
        Col(gettext_lazy("Value (%)"), lambda r: r[1].value, "percent"),
        Col(gettext_lazy("Target met"), lambda r: "" if r[1].met is None else r[1].met, "yesno"),
    ],
)


def _board_xlsx(board):
    rows = [(row, cell) for row in board.all_rows for cell in row.cells]
    response = BOARD_TABLE.export(rows)
    area = board.head.name if board.head else ""
    slug = "".join(ch if ch.isalnum() else "-" for ch in area.lower()).strip("-")[:60]
    response["Content-Disposition"] = (
        f'attachment; filename="indikator-ukbm-{slug or "area"}-{board.year}.xlsx"'
    )
    return response


@login_required
def indicator_home(request):
    user = request.user
    if not can_read_indicators(user):
        raise PermissionDenied
    year = query_year(request)
    board = selectors.indicator_board(
        user=user, year=year, province_id=query_id(request, "province")
    )
    if wants_xlsx(request):
        return _board_xlsx(board)
    can_set = board.province is not None and can_set_indicators(user, board.province)
    context = {
        "board": board,
        "year": year,
        "years": _years(),
        "can_set": can_set,
        "can_recompute": services.can_recompute_indicators(user),
        "provinces": (
            in_area(Province.objects.order_by("code"), user) if is_system_admin(user) else []
        ),
    }
    return render(request, "community/indicator_home.html", context)


@login_required
@require_POST
def indicator_recompute(request):
    year = _posted_year(request.POST.get("year"))
    services.ukbm_indicators_recompute(year=year, by=request.user)
    if settings.CELERY_TASK_ALWAYS_EAGER:
        messages.success(request, _("UKBM indicators recomputed."))
    else:
        messages.success(request, _("UKBM indicators are being recomputed: reload in a minute."))
    return redirect(_home(year))


def _posted_year(text) -> int:
    try:
        year = int(str(text or "").strip()[:6])
    except ValueError:
        return timezone.localdate().year
    return year if FIRST_YEAR <= year <= LAST_YEAR else timezone.localdate().year


# --- The set: create -----------------------------------------------------------------------------


class SetForm(forms.Form):
    """The set's indicators, the meeting where they were agreed and a note."""

    indicators = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Indicators"),
        queryset=UkbmIndicator.objects.order_by("order", "code"),
        widget=forms.CheckboxSelectMultiple,
    )
    agreed_at = forms.ModelChoiceField(
        label=gettext_lazy("Agreed at (meeting)"),
        queryset=Meeting.objects.none(),
        required=False,
        help_text=gettext_lazy("The provincial meeting where the districts agreed them."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user, province, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreed_at"].queryset = selectors.agreement_meetings(
            user=user, province=province
        )

    def clean_note(self) -> str:
        note = self.cleaned_data.get("note", "")
        if "\x00" in note:
            raise ValidationError(_("The text holds a character that cannot be stored."))
        return note


class SetCreateForm(OnceForm, SetForm):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    field_order = ["year", "indicators", "agreed_at", "note", "form_token"]


@login_required
def indicator_set_create(request):
    user = request.user
    province = selectors.user_province(user, query_id(request, "province"))
    if province is None or not can_set_indicators(user, province):
        raise PermissionDenied
    initial = {
        "year": query_year(request),
        "indicators": list(UkbmIndicator.objects.values_list("pk", flat=True)),
    }
    form = SetCreateForm(request.POST or None, initial=initial, user=user, province=province)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:  # a double click creates once and both posts land on the new set
            indicator_set = create_once(
                token=data.get("form_token"),
                by=user,
                model=IndicatorSet,
                create=lambda: indicator_sets.indicator_set_create(
                    province=province,
                    year=data["year"],
                    indicators=data["indicators"],
                    agreed_at=data["agreed_at"],
                    note=data["note"],
                    by=user,
                ),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Indicator set created: now set each district's targets."))
            return redirect("community:indicator-set-edit", pk=indicator_set.pk)
    context = {"form": form, "province": province}
    return render(request, "community/indicator_set_create.html", context)


# --- The set: targets per district ---------------------------------------------------------------


def _grid(indicator_set, user, indicators, typed=None, errors=None):
    """Rows of the target grid: per district, per indicator its input name and value."""
    targets = selectors.set_targets(indicator_set=indicator_set, user=user)
    rows = []
    for district in selectors.set_districts(indicator_set=indicator_set, user=user):
        cells = []
        for indicator in indicators:
            name = f"t-{indicator.pk}-{district.pk}"
            saved = targets.get((indicator.pk, district.pk))
            shown = (typed or {}).get(name, "" if saved is None else f"{saved.normalize():f}")
            cells.append(
                {
                    "indicator": indicator,
                    "name": name,
                    "value": shown,
                    "saved": saved,
                    "error": (errors or {}).get(name),
                }
            )
        rows.append({"district": district, "cells": cells})
    return rows


def _posted_targets(post, districts, indicators):
    """The grid's targets, the typed texts (to show them again) and the errors by input."""
    lines, typed, errors = [], {}, {}
    for district in districts:
        for indicator in indicators:
            name = f"t-{indicator.pk}-{district.pk}"
            text = str(post.get(name, ""))[:40]
            typed[name] = text
            try:
                value = indicator_sets.target_amount(text)
            except ValidationError as error:
                errors[name] = " ".join(error.messages)
                continue
            lines.append(indicator_sets.TargetInput(indicator.pk, district.pk, value))
    return lines, typed, errors


@login_required
def indicator_set_edit(request, pk):
    user = request.user
    indicator_set = get_in_area_or_404(
        selectors.readable_sets(user=user).select_related("province", "agreed_at", "updated_by"),
        user,
        pk=pk,
    )
    can_edit = can_set_indicators(user, indicator_set)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    chosen = list(indicator_set.indicators.order_by("order", "code"))
    form = SetForm(
        request.POST or None,
        initial={
            "indicators": [i.pk for i in chosen],
            "agreed_at": indicator_set.agreed_at_id,
            "note": indicator_set.note,
        },
        user=user,
        province=indicator_set.province,
    )
    every = list(UkbmIndicator.objects.order_by("order", "code"))
    typed = errors = stale = None
    status = 200
    if request.method == "POST":
        districts = selectors.set_districts(indicator_set=indicator_set, user=user)
        lines, typed, errors = _posted_targets(request.POST, districts, every)
        if form.is_valid() and not errors:
            data = form.cleaned_data
            try:
                indicator_sets.indicator_set_save(
                    indicator_set=indicator_set,
                    by=user,
                    version=_posted_version(request.POST.get("version")),
                    indicators=data["indicators"],
                    targets=lines,
                    agreed_at=data["agreed_at"],
                    note=data["note"],
                )
            except StaleEdit as error:
                stale, status = error, 409
                indicator_set.refresh_from_db()
            except ValidationError as error:
                form.add_error(None, error)
                status = 400
            else:
                messages.success(request, _("Targets saved."))
                return redirect(_home(indicator_set.year))
        else:
            status = 400
    grid_indicators = every if can_edit else chosen
    context = {
        "indicator_set": indicator_set,
        "form": form,
        "can_edit": can_edit,
        "indicators": grid_indicators,
        "grid": _grid(indicator_set, user, grid_indicators, typed, errors),
        "stale": stale,
        "chosen": {i.pk for i in chosen},
    }
    return render(request, "community/indicator_set.html", context, status=status)


def _posted_version(text) -> int | None:
    try:
        version = int(str(text or "").strip()[:12])
    except ValueError:
        return None
    return version if version >= 0 else None


urlpatterns = [
    path("indicators/", indicator_home, name="indicator-home"),
    path("indicators/recompute/", indicator_recompute, name="indicator-recompute"),
    path("indicators/sets/new/", indicator_set_create, name="indicator-set-create"),
    path("indicators/sets/<int:pk>/", indicator_set_edit, name="indicator-set-edit"),
]

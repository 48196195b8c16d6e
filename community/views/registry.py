"""The community layer's registry pages (issue #17 must-have 1, and the desa view of
must-have 5): the UKBM of the user's area per puskesmas and desa (a phone list, its .xlsx),
one posyandu with its reviews and cadres, one desa with its UKBM, desa siaga aktif status and
SPM achievement. Registry fields are edited and imported on the kernel's service point pages.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext_lazy

from kernel.models import ServicePoint
from kernel.rights import can_add_service_point, can_edit_organisation
from kernel.tables import Col, FilterForm, Table
from kernel.web import paginate, wants_xlsx

from ..rights import can_keep_cadres
from ..selectors import registry as selectors


def _link(name: str, pk: int) -> str | None:
    """The URL of `name` for `pk`, or None while that page does not exist yet (the other
    parts of the community layer add theirs)."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


def _stratum(point: ServicePoint) -> str:
    label = selectors.stratum_label(getattr(point, "latest_stratum", None))
    return f"{label} ({point.latest_year})" if label else ""


REGISTRY_TABLE = Table(
    filename="ukbm-registry.xlsx",
    sheet=gettext_lazy("UKBM registry"),
    empty=gettext_lazy("No posyandu or other UKBM in your area matches."),
    columns=[
        Col(
            gettext_lazy("Name"),
            "name",
            wrap=True,
            link=lambda p: reverse("community:posyandu-detail", args=[p.pk]),
        ),
        Col(gettext_lazy("Kind"), "get_kind_display"),
        Col(
            gettext_lazy("Desa"),
            "village.name",
            wrap=True,
            link=lambda p: (
                reverse("community:village", args=[p.village_id]) if p.village_id else None
            ),
        ),
        Col("Puskesmas", "puskesmas.name", wrap=True, phone=False),
        Col(gettext_lazy("Venue"), "venue", wrap=True),
        Col(gettext_lazy("Schedule"), "schedule", wrap=True),
        Col("ILP", "runs_ilp", format="yesno"),
        Col("Pustu", "pustu.name", wrap=True),
        Col(gettext_lazy("Decree (SK) number"), "decree_number", wrap=True),
        Col(gettext_lazy("Decree date"), "decree_date", format="date", phone=False),
        Col(gettext_lazy("Established in"), "established_year", phone=False),
        Col(gettext_lazy("Latest stratum"), _stratum),
        Col(gettext_lazy("Active cadres"), "cadre_count", format="number"),
        Col(gettext_lazy("Active"), "is_active", format="yesno", phone=False),
    ],
)


class RegistryFilter(FilterForm):
    """Filters by puskesmas, desa and kind; choices are the user's area's (a wrong id is not a
    choice, so it is ignored)."""

    puskesmas = forms.TypedChoiceField(label="Puskesmas", required=False, coerce=int)
    village = forms.TypedChoiceField(label=gettext_lazy("Desa"), required=False, coerce=int)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[
            ("", gettext_lazy("All kinds")),
            *[(k, label) for k, label in ServicePoint.Kind.choices if k in selectors.UKBM_KINDS],
        ],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        puskesmas = selectors.puskesmas_choices(user=user)
        if len(puskesmas) > 1:
            self.fields["puskesmas"].choices = [("", gettext_lazy("All puskesmas")), *puskesmas]
        else:
            del self.fields["puskesmas"]  # a puskesmas sees its own only
        # The desa of the chosen puskesmas (read before validating: the choices depend on it).
        raw = str(self.data.get("puskesmas", "")) if self.is_bound else ""
        chosen = next((pk for pk, _name in puskesmas if str(pk) == raw), None)
        villages = selectors.village_choices(user=user, puskesmas_id=chosen)
        self.fields["village"].choices = [("", gettext_lazy("All desa")), *villages]


@login_required
def registry_home(request):
    user = request.user
    filters = RegistryFilter(request.GET or None, user=user)
    rows = selectors.ukbm_list(
        user=user,
        puskesmas_id=filters.value("puskesmas", None) if "puskesmas" in filters.fields else None,
        village_id=filters.value("village", None),
        kind=filters.value("kind"),
    )
    if wants_xlsx(request):
        return REGISTRY_TABLE.export(rows)
    page = paginate(request, rows)
    context = {
        **page,
        "filters": filters,
        "can_add": can_add_service_point(user),
        "table": REGISTRY_TABLE,
        "table_rows": _labelled(REGISTRY_TABLE, page["rows"]),
    }
    return render(request, "community/registry_home.html", context)


def _labelled(table: Table, rows) -> list[list[tuple[str, object]]]:
    """Each row's cells with their column's heading: a phone shows each row as a card of
    "heading: value" lines (the `stack-phone` table)."""
    headers = table.headers()
    return [list(zip(headers, table.cells(row), strict=True)) for row in rows]


@login_required
def posyandu_detail(request, pk):
    point = selectors.ukbm_get(user=request.user, pk=pk)
    # The method is checked after scoping: another area's id is a 404 whatever the method.
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    reviews = [
        (review, _link("community:posyandu-review", review.pk))
        for review in selectors.posyandu_reviews(user=request.user, point=point)
    ]
    cadres = [
        (cadre, _link("community:cadre-detail", cadre.pk))
        for cadre in selectors.posyandu_cadres(user=request.user, point=point)
    ]
    context = {
        "point": point,
        "stratum": _stratum(point),
        "reviews": reviews,
        "cadres": cadres,
        "can_edit": can_edit_organisation(request.user, point),
        "can_keep_cadres": point.kind == point.Kind.POSYANDU
        and can_keep_cadres(request.user, point),
    }
    return render(request, "community/registry_posyandu.html", context)


VILLAGE_TABLE = Table(
    filename="desa-ukbm.xlsx",
    sheet=gettext_lazy("UKBM registry"),
    empty=gettext_lazy("No posyandu or other UKBM in this desa."),
    columns=[
        REGISTRY_TABLE.columns[0],
        Col(gettext_lazy("Kind"), "get_kind_display"),
        Col("ILP", "runs_ilp", format="yesno"),
        Col(gettext_lazy("Latest stratum"), _stratum),
        Col(gettext_lazy("Active cadres"), "cadre_count", format="number"),
    ],
)


@login_required
def village_detail(request, pk):
    user = request.user
    village = selectors.village_get(user=user, pk=pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    points = list(selectors.ukbm_list(user=user, village_id=village.pk))
    context = {
        "village": village,
        "table": VILLAGE_TABLE,
        "table_rows": _labelled(VILLAGE_TABLE, points),
        "posyandu_count": sum(1 for p in points if p.kind == ServicePoint.Kind.POSYANDU),
        "siaga": selectors.village_siaga(user=user, village=village),
        "spm": selectors.village_spm(user=user, village=village),
    }
    return render(request, "community/registry_village.html", context)


urlpatterns = [
    path("", registry_home, name="home"),
    path("posyandu/<int:pk>/", posyandu_detail, name="posyandu-detail"),
    path("desa/<int:pk>/", village_detail, name="village"),
]

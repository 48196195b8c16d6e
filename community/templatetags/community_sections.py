"""The community layer's section tabs (issue #17): Posyandu, Reviews, Cadres, Indicators.

Each part of the layer adds its pages on its own, so a tab whose page does not exist (its URL
name cannot be reversed) is left out rather than breaking every page."""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

register = template.Library()

# (label, URL name, the URL names (registry) or words in them (the others) of its pages)
SECTIONS = [
    (_("Posyandu"), "community:home", ("home", "posyandu-detail", "village")),
    (_("Reviews"), "community:review-list", ("review",)),
    (_("Cadres"), "community:cadre-list", ("cadre", "skill", "assess")),
    (_("Indicators"), "community:indicator-home", ("indicator",)),
]


@register.simple_tag(takes_context=True)
def community_sections(context) -> list[dict]:
    """The tabs whose pages exist: label, href and whether it is the current section."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    current = (match.url_name or "") if match and match.app_name == "community" else ""
    tabs = []
    for label, name, words in SECTIONS:
        try:
            href = reverse(name)
        except NoReverseMatch:
            continue
        # The registry's own pages by their exact names; the others by a word in theirs.
        exact = name == "community:home"
        active = current in words if exact else any(word in current for word in words)
        tabs.append({"label": label, "href": href, "active": active})
    return tabs

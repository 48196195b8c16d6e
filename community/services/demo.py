"""The community layer's demo (issue #17): HSU's posyandu with their registry details, a
year's reviews giving every stratum, cadres with assessments, a provincial indicator set."""

from django.db import transaction

from . import demo_cadres, demo_indicators, demo_registry, demo_reviews


@transaction.atomic
def demo_seed() -> None:
    demo_registry.seed()
    demo_reviews.seed()
    demo_cadres.seed()
    demo_indicators.seed()

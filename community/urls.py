"""URLs of the community layer (issue #17) under /ukbm/; each views module declares its own."""

from .views import cadres, indicators, registry, reviews

app_name = "community"

urlpatterns: list = []
urlpatterns += registry.urlpatterns  # "" is community:home, the nav's entry
urlpatterns += reviews.urlpatterns
urlpatterns += cadres.urlpatterns
urlpatterns += indicators.urlpatterns

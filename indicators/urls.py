from .views import (
    aggregation,
    dashboards,
    excel,
    quality,
    quarterly,
    reports,
    review,
    targets,
    trends,
)

app_name = "indicators"

urlpatterns: list = []
urlpatterns += review.urlpatterns  # before reports': reports/review/ is no report id
urlpatterns += reports.urlpatterns
urlpatterns += targets.urlpatterns
urlpatterns += excel.urlpatterns
urlpatterns += quarterly.urlpatterns
urlpatterns += dashboards.urlpatterns
urlpatterns += aggregation.urlpatterns
urlpatterns += trends.urlpatterns
urlpatterns += quality.urlpatterns  # issue #16: quality

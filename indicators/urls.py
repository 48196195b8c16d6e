from .views import aggregation, dashboards, excel, quarterly, reports, targets, trends

app_name = "indicators"

urlpatterns: list = []
urlpatterns += reports.urlpatterns
urlpatterns += targets.urlpatterns
urlpatterns += excel.urlpatterns
urlpatterns += quarterly.urlpatterns
urlpatterns += dashboards.urlpatterns
urlpatterns += aggregation.urlpatterns
urlpatterns += trends.urlpatterns

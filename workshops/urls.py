"""URLs of meetings and commitments; each views module declares its own `urlpatterns`."""

from .views import district, meetings, outcomes, records, sheets

app_name = "workshops"

urlpatterns = []
urlpatterns += meetings.urlpatterns
urlpatterns += outcomes.urlpatterns
urlpatterns += records.urlpatterns
urlpatterns += district.urlpatterns
urlpatterns += sheets.urlpatterns

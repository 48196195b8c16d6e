"""URLs of the SPM cycle (issue #16); each views module declares its own `urlpatterns`."""

from .views import package, roles, stages

app_name = "cycle"

urlpatterns = []
urlpatterns += package.urlpatterns  # "" is cycle:package-list, the nav's entry
urlpatterns += stages.urlpatterns
urlpatterns += roles.urlpatterns

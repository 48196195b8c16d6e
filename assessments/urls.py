"""URLs of the assessments (issue #18) under /assessments/; each views module declares its own."""

from .views import home, instruments, mentoring, pkp, pkp_review, supervision

app_name = "assessments"

urlpatterns: list = []
urlpatterns += home.urlpatterns  # "" is assessments:home, the nav's entry
urlpatterns += instruments.urlpatterns
urlpatterns += pkp.urlpatterns
urlpatterns += pkp_review.urlpatterns
urlpatterns += mentoring.urlpatterns
urlpatterns += supervision.urlpatterns

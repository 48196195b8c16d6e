"""URLs of planning (RUK, RPK, budgets); each views module declares its own `urlpatterns`."""

from .views import activities, budget, district, plans, realisation, ruk_excel, schedule

app_name = "planning"

urlpatterns = []
urlpatterns += plans.urlpatterns  # "" is planning:ruk-list, the nav's entry
urlpatterns += activities.urlpatterns
urlpatterns += schedule.urlpatterns
urlpatterns += district.urlpatterns
urlpatterns += ruk_excel.urlpatterns
urlpatterns += realisation.urlpatterns  # issue #16: budget
urlpatterns += budget.urlpatterns  # issue #16: budget

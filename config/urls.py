from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("shkola.core.urls")),
    path("accounts/", include("shkola.accounts.urls")),
    path("sso/", include("shkola.accounts.sso.urls")),
    path("school/", include("shkola.schools.urls")),
    path("timetable/", include("shkola.timetable.urls")),
    path("journal/", include("shkola.journal.urls")),
    path("diary/", include("shkola.diary.urls")),
    path("portfolio/", include("shkola.portfolio.urls")),
    path("messages/", include("shkola.messaging.urls")),
    path("admin/", admin.site.urls),
]

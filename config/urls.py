from django.contrib import admin
from django.urls import include, path

from shkola.api import urls as api_urls
from shkola.core import urls as core_urls
from shkola.home import urls as home_urls

# The home page moved out of core (it reads every app) but keeps its name ``core:home``.
core_patterns = ([*home_urls.urlpatterns, *core_urls.urlpatterns], core_urls.app_name)

urlpatterns = [
    path("", include(core_patterns)),
    path("accounts/", include("shkola.accounts.urls")),
    path("sso/", include("shkola.accounts.sso.urls")),
    path("school/", include("shkola.schools.urls")),
    path("timetable/", include("shkola.timetable.urls")),
    path("journal/", include("shkola.journal.urls")),
    path("diary/", include("shkola.diary.urls")),
    path("portfolio/", include("shkola.portfolio.urls")),
    path("absences/", include("shkola.absences.urls")),
    path("privacy/", include("shkola.privacy.urls")),
    path("notifications/", include("shkola.notifications.urls")),
    path("announcements/", include("shkola.announcements.urls")),
    path("people/", include("shkola.people.urls")),
    path("messages/", include("shkola.messaging.urls")),
    path("registry/", include("shkola.registry.urls")),
    path("oversight/", include("shkola.oversight.urls")),
    path("roster/", include("shkola.roster.urls")),
    path("school/import/", include("shkola.imports.urls")),
    path("school/year/", include("shkola.yearsetup.urls")),
    path("oauth/apps/", include("shkola.api.urls")),
    path("oauth/", include(api_urls.oauth_patterns)),
    path("api/v1/", api_urls.api_patterns()),
    path("feeds/", include("shkola.feeds.urls")),
    path("courses/", include("shkola.courses.urls")),
    path("tests/", include("shkola.testing.urls")),
    path("admin/", admin.site.urls),
    path("services/", include("shkola.extras.urls")),
]

# A lost database outside a view (the session, the user) is the 503 page, not a server error.
handler500 = "shkola.core.middleware.server_error"

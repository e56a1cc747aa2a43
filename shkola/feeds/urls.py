from django.urls import path

from . import views

app_name = "feeds"
urlpatterns = [
    path("", views.index, name="index"),
    path("<id:feed_id>/revoke/", views.revoke, name="revoke"),
    # The token is URL-safe base64 (43 characters); anything else is simply not found.
    path("<str:token>.ics", views.calendar, name="calendar"),
]

from django.urls import path

from . import views

app_name = "diary"

# (url name, path suffix, view); each page also exists for one student: s/<id>/<suffix>.
PAGES = [
    ("week", "", views.week),
    ("report", "report/", views.report),
    ("report_xlsx", "report.xlsx", views.report_xlsx),
    ("extra", "extra/", views.extra),
    ("homework", "homework/", views.homework),
    ("finals", "finals/", views.finals),
    ("missed", "missed/", views.missed),
    ("tests", "tests/", views.tests),
    ("timetable", "timetable/", views.timetable),
    ("averages", "averages/", views.averages),
    ("events", "events/", views.events),
    ("remarks", "remarks/", views.remarks),
]

urlpatterns = [path(suffix, view, name=name) for name, suffix, view in PAGES] + [
    path(f"s/<id:student_id>/{suffix}", view, name=f"{name}_of") for name, suffix, view in PAGES
]
urlpatterns.append(path("files/<id:file_id>/", views.homework_file, name="homework_file"))

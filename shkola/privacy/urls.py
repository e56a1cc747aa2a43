from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("", views.consents, name="consents"),
    path("consents/give/", views.consent_give, name="consent_give"),
    path("consents/<id:consent_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("access-log/", views.access_log, name="access_log"),
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/download/", views.my_data_download, name="my_data_download"),
    path("destructions/", views.destructions, name="destructions"),
    path("destructions/<id:destruction_id>/", views.destruction, name="destruction"),
    path("destructions/<id:destruction_id>/run/", views.destruction_run, name="destruction_run"),
    path("destructions/<id:destruction_id>/act/", views.destruction_act, name="destruction_act"),
    path("audit/export/", views.audit_export, name="audit_export"),
    path("texts/", views.texts, name="texts"),
    path("texts/new/", views.text_new, name="text_new"),
]

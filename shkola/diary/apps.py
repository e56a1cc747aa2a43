from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "shkola.diary"
    label = "diary"

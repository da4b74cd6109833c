from django.apps import AppConfig


class KaizenConfig(AppConfig):
    name = "kaizen"

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "insats.web"
    label = "web"

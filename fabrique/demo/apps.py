from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "fabrique.demo"
    label = "demo"
    verbose_name = "Demo territory"

from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Dev-only: the demo loader and the benchmarks. The product never imports this app."""

    name = "devtools"
    verbose_name = "Development tools"

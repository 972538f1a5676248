from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "insats.contracts"
    label = "contracts"
    verbose_name = _("Utfallskontrakt")
    default_auto_field = "django.db.models.BigAutoField"

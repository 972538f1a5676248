from django.urls import include, path
from django.views.i18n import set_language

from insats.accounts.access import public
from insats.api import get_api

urlpatterns = [
    path("", include("insats.web.urls")),
    path("konto/", include("insats.accounts.urls")),
    path("granskning/", include("insats.audit.urls")),
    path("lagesbild/", include("insats.situation.urls")),
    path("utfallskontrakt/", include("insats.contracts.urls")),
    path("api/v1/", get_api().urls),
    path("i18n/setlang/", public(set_language), name="set_language"),
]

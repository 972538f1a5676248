from django.urls import include, path
from django.views.i18n import set_language

from insats.accounts.access import public
from insats.api import get_api

urlpatterns = [
    path("", include("insats.web.urls")),
    path("konto/", include("insats.accounts.urls")),
    path("granskning/", include("insats.audit.urls")),
    path("lagesbild/", include("insats.situation.urls")),
    path("insatser/", include("insats.interventions.urls")),
    path("utfallskontrakt/", include("insats.contracts.urls")),
    path("samverkan/", include("insats.sourcing.urls")),
    path("api/v1/", get_api().urls),
    path("i18n/setlang/", public(set_language), name="set_language"),
]


def handler404(request, exception):
    """Under /api/ a problem+json body (RFC 7807), elsewhere the HTML page."""
    from django.views import defaults

    from insats.platform.api import api_not_found, is_api_path

    if is_api_path(request):
        return api_not_found(request)
    return defaults.page_not_found(request, exception)


def handler500(request):
    from django.views import defaults

    from insats.platform.api import api_server_error, is_api_path

    if is_api_path(request):
        return api_server_error(request)
    return defaults.server_error(request)


def handler400(request, exception):
    from django.views import defaults

    from insats.platform.api import api_bad_request, is_api_path

    if is_api_path(request):
        return api_bad_request(request)
    return defaults.bad_request(request, exception)

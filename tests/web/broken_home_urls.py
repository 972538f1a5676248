"""A URL configuration whose start page raises (tests/web/test_crawl.py)."""

from django.urls import include, path

from insats.accounts.access import public


@public
def broken(request):
    raise RuntimeError("boom")


urlpatterns = [path("", broken), path("", include("insats.urls"))]

from django.urls import path  # noqa: F401

from insats.sourcing.rfi.analysis import urls as analysis

urlpatterns: list = [*analysis.urlpatterns]

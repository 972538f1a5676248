from django.urls import path

from . import views

urlpatterns = [
    path("registrera/", views.register_organisation, name="register_organisation"),
    path("organisation/<int:pk>/verifiera/", views.organisation_verify, name="organisation_verify"),
    path("ej-verifierade/", views.unverified_organisations, name="unverified_organisations"),
]

from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.search, name="search"),
    path("verifiera/", views.verify, name="verify"),
    path("export.csv", views.export_csv, name="export"),
]

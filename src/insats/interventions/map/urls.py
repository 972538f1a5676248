from django.urls import path

from . import views

urlpatterns = [
    path("karta/", views.map_page, name="map"),
    path("karta/behov/", views.map_need, name="map_need"),
    path("karta/export.xlsx", views.map_xlsx, name="map_xlsx"),
    path("karta/export.pdf", views.map_pdf, name="map_pdf"),
]

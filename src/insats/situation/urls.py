from django.urls import path

from . import views_lagesbild

app_name = "situation"

urlpatterns = [
    # Lägesbild: indicators, comparisons, trends and exports (views_lagesbild.py).
    path("", views_lagesbild.home, name="home"),
    path("export.pdf", views_lagesbild.export_pdf, name="export_pdf"),
    path("export.xlsx", views_lagesbild.export_xlsx, name="export_xlsx"),
]

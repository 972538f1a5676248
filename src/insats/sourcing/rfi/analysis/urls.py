from django.urls import path

from . import views

urlpatterns = [
    path("rfi/<int:pk>/analys/", views.rfi_analysis, name="rfi_analysis"),
    path("rfi/<int:pk>/analys/excel/", views.rfi_analysis_xlsx, name="rfi_analysis_xlsx"),
    path("rfi/<int:pk>/analys/rapport.pdf", views.rfi_analysis_pdf, name="rfi_analysis_pdf"),
]

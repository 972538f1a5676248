from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("insatser.xlsx", views.catalogue_xlsx, name="catalogue_xlsx"),
    path("ny/", views.intervention_create, name="intervention_create"),
    path("<int:pk>/", views.intervention_detail, name="intervention_detail"),
    path("<int:pk>/andra/", views.intervention_edit, name="intervention_edit"),
    path("<int:pk>/ta-bort/", views.intervention_delete, name="intervention_delete"),
    path("<int:pk>/historik/", views.intervention_history, name="intervention_history"),
]

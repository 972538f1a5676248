from django.urls import path

from . import views

urlpatterns = [
    path("formval/", views.decision_list, name="decision_list"),
    path("formval/ny/", views.decision_create, name="decision_create"),
    path("formval/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("formval/<int:pk>/beslut/", views.decision_decide, name="decision_decide"),
    path("formval/<int:pk>/andra/", views.decision_revise, name="decision_revise"),
    path("troskelvarden/", views.threshold_list, name="threshold_list"),
    path("troskelvarden/ny/", views.threshold_create, name="threshold_create"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("iop/", views.iop_list, name="iop_list"),
    path("iop/ny/", views.iop_create, name="iop_create"),
    path("iop/<int:pk>/", views.iop_detail, name="iop_detail"),
    path("iop/<int:pk>/parter/", views.iop_party_add, name="iop_party_add"),
    path("iop/<int:pk>/bidrag/", views.iop_contribution_add, name="iop_contribution_add"),
    path("iop/<int:pk>/uppfoljning/", views.iop_follow_up_add, name="iop_follow_up_add"),
    path("iop/<int:pk>/avstamningar/", views.iop_check_in_add, name="iop_check_in_add"),
    path("iop/<int:pk>/underteckna/", views.iop_sign, name="iop_sign"),
    path("iop/<int:pk>/andringar/", views.iop_change_propose, name="iop_change_propose"),
    path("iop/<int:pk>/andringar/<int:proposal>/", views.iop_change_decide, name="iop_change_decide"),
]

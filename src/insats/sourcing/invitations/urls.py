from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("bjud-in/<str:kind>/<int:pk>/", views.invitation_create, name="invitation_create"),
    path("inbjudan/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("inbjudningar/<int:pk>/aterkalla/", views.invitation_revoke, name="invitation_revoke"),
]

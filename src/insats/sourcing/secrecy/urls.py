from django.urls import path

from . import views

urlpatterns = [
    path("sekretess/", views.secrecy_list, name="secrecy_list"),
    path("sekretess/ny/<slug:kind>/<int:pk>/", views.secrecy_create, name="secrecy_create"),
    path("sekretess/<int:pk>/", views.secrecy_detail, name="secrecy_detail"),
    path("sekretess/<int:pk>/redigera/", views.secrecy_edit, name="secrecy_edit"),
    path("sekretess/<int:pk>/kopia/", views.secrecy_copy, name="secrecy_copy"),
    path("sekretess/<int:pk>/kopia.pdf", views.secrecy_copy_pdf, name="secrecy_copy_pdf"),
    path("sekretess/<int:pk>/lamna-ut/", views.secrecy_handout, name="secrecy_handout"),
    path(
        "sekretess/<int:pk>/utlamnanden/<int:handout_pk>/",
        views.secrecy_handout_file,
        name="secrecy_handout_file",
    ),
]

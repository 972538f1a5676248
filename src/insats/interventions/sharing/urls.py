from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/dela/", views.intervention_share, name="intervention_share"),
    path("<int:pk>/dela/<int:share_pk>/aterkalla/", views.intervention_unshare, name="intervention_unshare"),
    path("delningar/", views.shares, name="shares"),
    path("installningar/", views.catalogue_settings, name="catalogue_settings"),
    path("installningar/aldersgrupper/ny/", views.age_band_add, name="age_band_add"),
    path("installningar/aldersgrupper/<int:pk>/", views.age_band_edit, name="age_band_edit"),
    path("installningar/aldersgrupper/<int:pk>/ta-bort/", views.age_band_delete, name="age_band_delete"),
    path("installningar/metoder/ny/", views.method_add, name="method_add"),
    path("installningar/metoder/<int:pk>/", views.method_edit, name="method_edit"),
    path("installningar/metoder/<int:pk>/ta-bort/", views.method_delete, name="method_delete"),
    path("publik/<int:org_pk>/", views.public_listing, name="public_listing"),
]

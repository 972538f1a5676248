from django.urls import path

from . import views

urlpatterns = [
    path("socialplan/", views.plan_list, name="plan_list"),
    path("socialplan/ny/", views.plan_create, name="plan_create"),
    path("socialplan/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("socialplan/<int:pk>/andra/", views.plan_edit, name="plan_edit"),
    path("socialplan/<int:pk>/pdf/", views.plan_pdf, name="plan_pdf"),
    path("socialplan/<int:pk>/entiteter/ny/", views.plan_entity_add, name="plan_entity_add"),
    path("socialplan/<int:pk>/entiteter/<int:entity_pk>/", views.plan_entity_edit, name="plan_entity_edit"),
    path(
        "socialplan/<int:pk>/entiteter/<int:entity_pk>/insatser/ny/",
        views.plan_intervention_add,
        name="plan_intervention_add",
    ),
    path("socialplan/<int:pk>/framgangsfaktorer/ny/", views.plan_factor_add, name="plan_factor_add"),
    path(
        "socialplan/<int:pk>/framgangsfaktorer/<int:factor_pk>/",
        views.plan_factor_edit,
        name="plan_factor_edit",
    ),
    path("socialplan/<int:pk>/utvardering/ny/", views.plan_evaluation_add, name="plan_evaluation_add"),
    path(
        "socialplan/<int:pk>/utvardering/<int:item_pk>/",
        views.plan_evaluation_edit,
        name="plan_evaluation_edit",
    ),
    path(
        "socialplan/<int:pk>/<slug:kind>/<int:row_pk>/ta-bort/", views.plan_row_delete, name="plan_row_delete"
    ),
    path("socialplan/<int:pk>/versioner/", views.plan_versions, name="plan_versions"),
    path(
        "socialplan/<int:pk>/versioner/<int:number>/", views.plan_version_detail, name="plan_version_detail"
    ),
    path("socialplan/<int:pk>/anta/", views.plan_adopt, name="plan_adopt"),
]

from django.urls import path

from insats.sourcing.rfi.analysis import urls as analysis

from . import views

urlpatterns: list = [
    path("dialoger/", views.rfi_list, name="rfi_list"),
    path("dialoger/ny/", views.rfi_create, name="rfi_create"),
    path("dialoger/<int:pk>/", views.rfi_detail, name="rfi_detail"),
    path("dialoger/<int:pk>/redigera/", views.rfi_edit, name="rfi_edit"),
    path("dialoger/<int:pk>/fragor/", views.rfi_questions, name="rfi_questions"),
    path("dialoger/<int:pk>/fragor/mall/", views.rfi_questions_seed, name="rfi_questions_seed"),
    path("dialoger/<int:pk>/fragor/<int:question_pk>/", views.rfi_question_edit, name="rfi_question_edit"),
    path(
        "dialoger/<int:pk>/fragor/<int:question_pk>/ta-bort/",
        views.rfi_question_delete,
        name="rfi_question_delete",
    ),
    path("dialoger/<int:pk>/siffror/", views.rfi_figures, name="rfi_figures"),
    path(
        "dialoger/<int:pk>/siffror/<int:figure_pk>/ta-bort/",
        views.rfi_figure_delete,
        name="rfi_figure_delete",
    ),
    path("dialoger/<int:pk>/status/<slug:action>/", views.rfi_status, name="rfi_status"),
    path("dialoger/<int:pk>/svara/", views.rfi_respond, name="rfi_respond"),
    path("dialoger/<int:pk>/svara/aterkalla/", views.rfi_response_withdraw, name="rfi_response_withdraw"),
    path("svar/<int:pk>/", views.rfi_response_detail, name="rfi_response_detail"),
    path(
        "svar/<int:pk>/dokument/<int:document_pk>/", views.rfi_response_document, name="rfi_response_document"
    ),
    path("oppna-dialoger/", views.rfi_public_list, name="rfi_public_list"),
    path("oppna-dialoger/<int:pk>/", views.rfi_public, name="rfi_public"),
    *analysis.urlpatterns,
]

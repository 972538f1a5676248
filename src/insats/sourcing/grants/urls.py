from django.urls import path

from . import views

urlpatterns = [
    path("bidrag/", views.round_list, name="grant_round_list"),
    path("bidrag/ny/", views.round_create, name="grant_round_create"),
    path("bidrag/<int:pk>/", views.round_detail, name="grant_round_detail"),
    path("bidrag/<int:pk>/redigera/", views.round_edit, name="grant_round_edit"),
    path("bidrag/<int:pk>/publicera/", views.round_publish, name="grant_round_publish"),
    path("bidrag/<int:pk>/stang/", views.round_close, name="grant_round_close"),
    path("bidrag/<int:pk>/sok/", views.apply, name="grant_apply"),
    path("bidrag/<int:pk>/rangordning/", views.ranking, name="grant_round_ranking"),
    path("bidrag/ansokningar/<int:pk>/", views.application_detail, name="grant_application_detail"),
    path("bidrag/ansokningar/<int:pk>/bilagor/", views.application_attach, name="grant_application_attach"),
    path(
        "bidrag/ansokningar/<int:pk>/bilagor/<int:att_pk>/",
        views.application_attachment,
        name="grant_application_attachment",
    ),
    path("bidrag/ansokningar/<int:pk>/skicka-in/", views.application_submit, name="grant_application_submit"),
    path("bidrag/ansokningar/<int:pk>/bedomning/", views.assess, name="grant_assess"),
    path("bidrag/ansokningar/<int:pk>/beslut/", views.decide, name="grant_decide"),
    path("bidrag/ansokningar/<int:pk>/beslutsbrev/", views.letter, name="grant_letter"),
    path("bidrag/ansokningar/<int:pk>/beslutsbrev.pdf", views.letter_pdf, name="grant_letter_pdf"),
    path("bidrag/ansokningar/<int:pk>/aterrapportering/", views.report, name="grant_report"),
    path("bidrag/ansokningar/<int:pk>/insats/", views.intervention_link, name="grant_intervention"),
]

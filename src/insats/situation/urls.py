from django.urls import path

from . import views_exports, views_import, views_kolada, views_lagesbild, views_plans

app_name = "situation"

urlpatterns = [
    # Lägesbild: indicators, comparisons, trends and exports (views_lagesbild.py).
    path("", views_lagesbild.home, name="home"),
    # exports: a small selection at once, a large one as a background job (views_exports.py)
    path("export.pdf", views_exports.export_pdf, name="export_pdf"),
    path("export.xlsx", views_exports.export_xlsx, name="export_xlsx"),
    path("export/<int:pk>/", views_exports.export_download, name="export_download"),
    path("kolada/", views_kolada.kolada_sync, name="kolada_sync"),
]

# Planering and own data import (views_plans.py, views_import.py): target groups, cause analyses,
# results with targets, turn-the-curve and action plans; observations from CSV/Excel.
urlpatterns += [
    path("planering/", views_plans.plan_home, name="plan_home"),
    path("malgrupper/", views_plans.targetgroup_list, name="targetgroup_list"),
    path("malgrupper/ny/", views_plans.targetgroup_create, name="targetgroup_create"),
    path("malgrupper/<int:pk>/", views_plans.targetgroup_detail, name="targetgroup_detail"),
    path("malgrupper/<int:pk>/andra/", views_plans.targetgroup_edit, name="targetgroup_edit"),
    path("resultat/", views_plans.result_list, name="result_list"),
    path("resultat/ny/", views_plans.result_create, name="result_create"),
    path("resultat/<int:pk>/", views_plans.result_detail, name="result_detail"),
    path("resultat/<int:pk>/andra/", views_plans.result_edit, name="result_edit"),
    path("resultat/<int:pk>/indikator/", views_plans.result_indicator_add, name="result_indicator_add"),
    path("resultat/<int:pk>/aktivitet/", views_plans.action_add, name="action_add"),
    path("resultat/<int:pk>/export.pdf", views_plans.result_pdf, name="result_pdf"),
    path("resultat/<int:pk>/export.xlsx", views_plans.result_xlsx, name="result_xlsx"),
    path("resultat/indikator/<int:ri_pk>/", views_plans.result_indicator_edit, name="result_indicator_edit"),
    path("resultat/indikator/<int:ri_pk>/mal/", views_plans.target_add, name="target_add"),
    path("resultat/mal/<int:pk>/ta-bort/", views_plans.target_delete, name="target_delete"),
    path("resultat/aktivitet/<int:pk>/", views_plans.action_edit, name="action_edit"),
    path("resultat/aktivitet/<int:pk>/ta-bort/", views_plans.action_delete, name="action_delete"),
    path("orsaksanalyser/", views_plans.cause_list, name="cause_list"),
    path("orsaksanalyser/ny/", views_plans.cause_create, name="cause_create"),
    path("orsaksanalyser/faktorer/", views_plans.factor_list, name="factor_list"),
    path("orsaksanalyser/<int:pk>/", views_plans.cause_detail, name="cause_detail"),
    path("orsaksanalyser/<int:pk>/andra/", views_plans.cause_edit, name="cause_edit"),
    path("orsaksanalyser/<int:pk>/dela/", views_plans.cause_share, name="cause_share"),
    path(
        "orsaksanalyser/<int:pk>/dela/<int:share_pk>/aterkalla/",
        views_plans.cause_unshare,
        name="cause_unshare",
    ),
    path("orsaksanalyser/<int:pk>/orsak/", views_plans.cause_node_add, name="cause_node_add"),
    path("orsaksanalyser/<int:pk>/orsak/<int:node_pk>/", views_plans.cause_node_edit, name="cause_node_edit"),
    path(
        "orsaksanalyser/<int:pk>/orsak/<int:node_pk>/flytta/",
        views_plans.cause_node_move,
        name="cause_node_move",
    ),
    path(
        "orsaksanalyser/<int:pk>/orsak/<int:node_pk>/ta-bort/",
        views_plans.cause_node_delete,
        name="cause_node_delete",
    ),
    path(
        "orsaksanalyser/<int:pk>/orsak/<int:node_pk>/aterstall/",
        views_plans.cause_node_restore,
        name="cause_node_restore",
    ),
    path("import/", views_import.import_start, name="import_start"),
    path("import/mall.<str:fmt>", views_import.import_template, name="import_template"),
    path("import/indikator/", views_import.indicator_create, name="indicator_create"),
    path("import/<int:pk>/", views_import.import_map, name="import_map"),
    path("import/<int:pk>/fel.csv", views_import.import_errors_csv, name="import_errors_csv"),
]

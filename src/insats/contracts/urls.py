from django.urls import path

from . import views, views_changes, views_metrics, views_payments, views_results  # C3

app_name = "contracts"

# C1: the contract, parties, cohorts, metrics and prices, financing, signing, changes, action plan.
urlpatterns = [
    path("", views.home, name="home"),
    path("nytt/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/redigera/", views.edit, name="edit"),
    path("<int:pk>/status/", views.transition, name="transition"),
    path("<int:pk>/underteckna/", views.sign, name="sign"),
    path("<int:pk>/parter/", views.parties, name="parties"),
    path("<int:pk>/parter/<int:party>/", views.party_edit, name="party_edit"),
    path("<int:pk>/kohorter/ny/", views.cohort_edit, name="cohort_create"),
    path("<int:pk>/kohorter/<int:cohort>/", views.cohort_edit, name="cohort_edit"),
    path("<int:pk>/utfallsmatt/", views_metrics.metrics, name="metrics"),
    path("<int:pk>/utfallsmatt/nytt/", views_metrics.metric_edit, name="metric_create"),
    path("<int:pk>/utfallsmatt/<int:metric>/", views_metrics.metric_edit, name="metric"),
    path("<int:pk>/utfallsmatt/<int:metric>/ta-bort/", views_metrics.metric_delete, name="metric_delete"),
    path("<int:pk>/forhandsvisning/", views_metrics.preview, name="preview"),
    path("<int:pk>/finansiering/", views.financing, name="financing"),
    path("<int:pk>/andringar/", views_changes.changes, name="changes"),
    path("<int:pk>/andringar/<int:proposal>/", views_changes.change, name="change"),
    path("<int:pk>/andringar/<int:proposal>/aterta/", views_changes.change_withdraw, name="change_withdraw"),
    path("<int:pk>/versioner/", views_changes.versions, name="versions"),
    path("<int:pk>/handlingsplan/", views_changes.actions, name="actions"),
    path("<int:pk>/handlingsplan/<int:action>/", views_changes.actions, name="action_edit"),
    path("<int:pk>/handlingsplan/<int:action>/status/", views_changes.action_status, name="action_status"),
    path("<int:pk>/handlingsplan/<int:action>/ta-bort/", views_changes.action_delete, name="action_delete"),
]

# C3: results and validation, payments and invoice basis, the fund's ledger, dashboards, exports.
urlpatterns += [
    path("<int:pk>/resultat/", views_results.results, name="results"),
    path("<int:pk>/resultat/import/", views_results.results_import, name="results_import"),
    path("<int:pk>/resultat/mall.csv", views_results.results_template, name="results_template"),
    path("<int:pk>/resultat/<int:rid>/", views_results.result_detail, name="result_detail"),
    path("<int:pk>/resultat/<int:rid>/godkann/", views_results.result_approve, name="result_approve"),
    path("<int:pk>/resultat/<int:rid>/atersand/", views_results.result_return, name="result_return"),
    path("<int:pk>/resultat/<int:rid>/lamna-in/", views_results.result_submit, name="result_submit"),
    path("<int:pk>/betalningar/", views_payments.payments, name="payments"),
    path("<int:pk>/betalningar/excel/", views_payments.payments_xlsx, name="payments_xlsx"),
    path("<int:pk>/betalningar/<int:lid>/markera/", views_payments.payment_mark, name="payment_mark"),
    path(
        "<int:pk>/betalningar/<int:lid>/fakturaunderlag.pdf", views_payments.invoice_pdf, name="invoice_pdf"
    ),
    path("<int:pk>/fondbokforing/", views_payments.ledger, name="ledger"),
    path("<int:pk>/oversikt/", views_payments.dashboard, name="dashboard"),
    path("<int:pk>/export/", views_payments.exports_page, name="exports"),
    path("<int:pk>/export/indigo.json", views_payments.indigo_export, name="indigo_export"),
]

# C2: the business case — scenarios (versions, based on), the inputs form that starts the Monte Carlo
# as a background job, a scenario's results, and scenarios compared side by side.
from . import views_business_case  # noqa: E402

urlpatterns += [
    path("<int:pk>/affarscase/", views_business_case.business_case, name="business_case"),
    path("<int:pk>/affarscase/nytt/", views_business_case.business_case_new, name="business_case_new"),
    path("<int:pk>/affarscase/jamfor/", views_business_case.scenario_compare, name="scenario_compare"),
    path("<int:pk>/affarscase/<int:scenario>/", views_business_case.scenario, name="scenario"),
]

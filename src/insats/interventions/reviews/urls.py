from django.urls import path

from . import views

urlpatterns = [
    path("portfolj/", views.portfolio, name="portfolio"),
    path("portfolj/<int:pk>/", views.portfolio_org, name="portfolio_org"),
    path("portfolj/<int:pk>/budget/", views.portfolio_budget, name="portfolio_budget"),
    path("portfolj/<int:pk>/excel/", views.portfolio_xlsx, name="portfolio_xlsx"),
    path("genomlysningar/", views.review_list, name="review_list"),
    path("genomlysningar/ny/", views.review_create, name="review_create"),
    path("genomlysningar/<int:pk>/", views.review_detail, name="review_detail"),
    path("genomlysningar/<int:pk>/redigera/", views.review_edit, name="review_edit"),
    path("genomlysningar/<int:pk>/insatser/<int:item_pk>/", views.review_item, name="review_item"),
    path("genomlysningar/<int:pk>/fas/", views.review_phase, name="review_phase"),
    path("genomlysningar/<int:pk>/iakttagelser/", views.review_finding_add, name="review_finding_add"),
    path(
        "genomlysningar/<int:pk>/iakttagelser/<int:finding_pk>/ta-bort/",
        views.review_finding_delete,
        name="review_finding_delete",
    ),
    path(
        "genomlysningar/<int:pk>/rekommendationer/",
        views.review_recommendation_add,
        name="review_recommendation_add",
    ),
    path(
        "genomlysningar/<int:pk>/rekommendationer/<int:rec_pk>/uppfoljning/",
        views.review_follow_up,
        name="review_follow_up",
    ),
    path("genomlysningar/<int:pk>/beslut/", views.review_decision, name="review_decision"),
    path("genomlysningar/<int:pk>/granskare/", views.review_share, name="review_share"),
    path(
        "genomlysningar/<int:pk>/granskare/<int:share_pk>/aterkalla/",
        views.review_unshare,
        name="review_unshare",
    ),
    path("genomlysningar/<int:pk>/rapport.pdf", views.review_pdf, name="review_pdf"),
]

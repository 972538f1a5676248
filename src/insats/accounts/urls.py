from django.urls import path

from . import auth_views, views, views_tokens
from .registration import urls as registration_urls

app_name = "accounts"
urlpatterns = [
    path("logga-in/", auth_views.login_view, name="login"),
    path("logga-ut/", auth_views.logout_view, name="logout"),
    path("logga-in/kod/", auth_views.two_factor_login, name="two_factor_login"),
    path("logga-in/aterstallningskod/", auth_views.recovery_login, name="recovery_login"),
    path("tvafaktor/", auth_views.two_factor, name="two_factor"),
    path("tvafaktor/stang-av/", auth_views.two_factor_disable, name="two_factor_disable"),
    path("tvafaktor/nya-koder/", auth_views.recovery_regenerate, name="recovery_regenerate"),
    path("profil/", views.profile, name="profile"),
    path("byt-organisation/", views.switch, name="switch"),
    path("jobb/<int:pk>/", views.job_detail, name="job"),
    path("api-nycklar/", views_tokens.tokens_page, name="tokens"),
    path("api-nycklar/<int:pk>/aterkalla/", views_tokens.token_revoke, name="token_revoke"),
    path("inbjudan/<str:token>/", views.accept, name="accept"),
    path("organisationer/", views.organisation_list, name="organisations"),
    path("organisation/", views.my_organisation, name="my_organisation"),
    path("organisation/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisation/<int:pk>/andra/", views.organisation_edit, name="organisation_edit"),
    path("organisation/<int:pk>/forbundsmedlemmar/", views.federation_edit, name="federation_edit"),
    path("medlemmar/", views.my_members, name="my_members"),
    path("organisation/<int:pk>/medlemmar/", views.members, name="members"),
    path("medlemskap/<int:pk>/ta-bort/", views.membership_remove, name="membership_remove"),
    path("inbjudningar/<int:pk>/aterkalla/", views.invitation_revoke, name="invitation_revoke"),
    path("samverkan/", views.partnerships, name="partnerships"),
    path("samverkan/<int:pk>/", views.partnership_detail, name="partnership"),
    path("organ/", views.bodies, name="bodies"),
    path("organ/<int:pk>/", views.body_detail, name="body"),
    path("ledamot/<int:pk>/avsluta/", views.seat_end, name="seat_end"),
    path("delning/<int:pk>/aterkalla/", views.share_revoke, name="share_revoke"),
    path("delning/<str:type_label>/<str:pk>/", views.shares, name="shares"),
    *registration_urls.urlpatterns,
]

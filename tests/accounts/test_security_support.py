"""Helpers shared by the login-security tests (tests/accounts/test_security_*.py).

``client`` here replaces pytest-django's: a test client that checks **every** HTML page it
receives for the Content-Security-Policy header and for inline script, ``on*=`` event handlers,
``style=`` attributes and ``<style>`` elements (all forbidden by the CSP ``script-src 'self';
style-src 'self'``). Test modules import it (``from .test_security_support import checked_client``).

``totp`` is an independent RFC 6238 implementation (hmac + hashlib) so the tests do not check
pyotp against itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
from html.parser import HTMLParser

import pytest
from django.test import Client

from insats.audit.models import AuditEntry


class InlineCodeFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self._in_script_without_src = False

    def handle_starttag(self, tag, attrs):
        names = {name.lower(): value for name, value in attrs}
        if tag == "script" and "src" not in names:
            self._in_script_without_src = True
            script_type = (names.get("type") or "").lower()
            if script_type not in ("application/json", "application/ld+json"):
                self.problems.append(f"inline <script> {attrs}")
        if tag == "style":
            self.problems.append("<style> element")
        for name in names:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            if name == "style":
                self.problems.append(f"style= on <{tag}>")
        for name, value in names.items():
            if value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL in {name}= on <{tag}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script_without_src = False


def assert_csp_clean(response) -> None:
    """An HTML response carries the CSP header and contains nothing the CSP would block inline."""
    if response.status_code >= 300 or "text/html" not in response.get("Content-Type", ""):
        return
    policy = response.get("Content-Security-Policy", "")
    assert "script-src 'self'" in policy and "style-src 'self'" in policy, policy
    assert "unsafe-inline" not in policy
    finder = InlineCodeFinder()
    finder.feed(response.content.decode())
    assert not finder.problems, f"{response.wsgi_request.path}: {finder.problems}"


class CheckedClient(Client):
    pages_checked = 0

    def request(self, **request):
        response = super().request(**request)
        # A download (Content-Disposition: attachment — e.g. a handed-out redacted copy as an HTML
        # file) is saved by the browser, never rendered in Insats's origin: not a page.
        download = response.get("Content-Disposition", "").startswith("attachment")
        if "text/html" in response.get("Content-Type", "") and response.status_code < 300 and not download:
            assert_csp_clean(response)
            CheckedClient.pages_checked += 1
        return response


@pytest.fixture(name="client")
def checked_client():
    return CheckedClient()


# --- TOTP, independently of pyotp (RFC 6238 / RFC 4226) ---------------------------------------------


def hotp(secret_b32: str, counter: int, digits: int = 6) -> str:
    key = base64.b32decode(secret_b32.upper() + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def totp(secret_b32: str, at: float | None = None, *, offset_steps: int = 0) -> str:
    step = int(time.time() if at is None else at) // 30 + offset_steps
    return hotp(secret_b32, step)


def entries(action: str, **filters):
    return list(AuditEntry.objects.filter(action=action, **filters).order_by("seq"))


def enrol(user) -> tuple[str, list[str]]:
    """Give ``user`` confirmed 2FA through the service, as if set up a while ago (no step used yet)."""
    from insats.accounts import security
    from insats.accounts.models import User

    secret = security.new_secret()
    codes = security.enable_two_factor(user, secret, totp(secret))
    User.objects.filter(pk=user.pk).update(totp_last_step=0)
    user.totp_last_step = 0
    return secret, codes

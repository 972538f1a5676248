"""``manage.py crawl``: visit every page reachable by links, as every member of every organisation.

The outside trial's crawl (DEVELOPERS.md, "Tried from outside"): for each membership in the database
(on the demo world: every demo user in every role they hold), log in the way the login page does
(session, the chosen membership, the second factor marked as passed for users who have one), start
at ``/`` and follow every same-site link breadth-first with GET only — forms are never submitted, so
the crawl changes nothing (logging out is skipped). Reports, per membership, how many pages it saw
and every answer of 500 or more, and every page that took longer than ``--slow`` seconds.

Runs only with DEBUG on (it logs in as anyone). Exit 1 if any page answered 5xx.

    DEBUG=1 .venv/bin/python manage.py crawl                  # every membership
    DEBUG=1 .venv/bin/python manage.py crawl --user analys@   # memberships of matching e-mails
"""

from __future__ import annotations

import logging
import time
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client

from insats.accounts import security
from insats.accounts.middleware import SESSION_KEY
from insats.accounts.models import Membership

# Never followed: leaving the session, and pages whose GET is only a confirmation step of a POST
# are fine to see; these are the ones that end or replace the session.
SKIP_PREFIXES = ("/konto/logga-ut", "/static/", "/i18n/", "/api/v1/docs")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links(base: str, html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        url, _fragment = urldefrag(urljoin(base, href))
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith("/") and not path.startswith(SKIP_PREFIXES):
            found.append(path)
    return found


def crawl_as(membership: Membership, *, limit: int, slow: float) -> dict:
    client = Client(raise_request_exception=False)
    client.force_login(membership.user, backend="insats.accounts.backends.EmailBackend")
    session = client.session
    session[SESSION_KEY] = membership.pk
    if membership.user.has_two_factor:
        security.mark_verified(session, membership.user)
    session.save()
    seen: set[str] = {"/"}
    queue: deque[str] = deque(["/"])
    errors: list[tuple[str, int]] = []
    slow_pages: list[tuple[str, float]] = []
    pages = 0
    while queue and pages < limit:
        path = queue.popleft()
        started = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - started
        pages += 1
        if response.status_code >= 500:
            errors.append((path, response.status_code))
        if elapsed > slow:
            slow_pages.append((path, elapsed))
        content_type = response.get("Content-Type", "")
        if response.status_code in (301, 302, 303, 307, 308):
            for link in links(path, f'<a href="{response["Location"]}"></a>'):
                if link not in seen:
                    seen.add(link)
                    queue.append(link)
        if response.status_code == 200 and content_type.startswith("text/html"):
            for link in links(path, response.content.decode("utf-8", "replace")):
                if link not in seen:
                    seen.add(link)
                    queue.append(link)
    return {"pages": pages, "errors": errors, "slow": slow_pages, "left": len(queue)}


class Command(BaseCommand):
    help = "Follow every link as every member (GET only) and report 5xx answers and slow pages (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("--user", default="", help="Only memberships whose user's e-mail contains this.")
        parser.add_argument("--limit", type=int, default=400, help="Pages per membership (default 400).")
        parser.add_argument("--slow", type=float, default=2.0, help="Report pages slower than this (s).")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("manage.py crawl logs in as every user: it runs only with DEBUG on.")
        for noisy in ("weasyprint", "fontTools", "django.request"):
            logging.getLogger(noisy).setLevel(logging.CRITICAL)  # the report says what failed
        memberships = Membership.objects.select_related("user", "organisation").order_by("user__email", "pk")
        if options["user"]:
            memberships = memberships.filter(user__email__icontains=options["user"])
        failed = 0
        total = 0
        for membership in memberships:
            if not membership.user.is_active:
                continue
            result = crawl_as(membership, limit=options["limit"], slow=options["slow"])
            total += result["pages"]
            label = f"{membership.user.email} ({membership.role}, {membership.organisation.name})"
            more = f", {result['left']} not visited (limit)" if result["left"] else ""
            self.stdout.write(f"{label}: {result['pages']} pages, {len(result['errors'])} errors{more}")
            for path, status in result["errors"]:
                failed += 1
                self.stdout.write(self.style.ERROR(f"  {status} {path}"))
            for path, elapsed in result["slow"]:
                self.stdout.write(self.style.WARNING(f"  slow {elapsed:.2f} s {path}"))
        self.stdout.write(f"{total} pages in all, {failed} errors.")
        if failed:
            raise SystemExit(1)

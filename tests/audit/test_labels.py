"""Issue 8, item 20: the audit log names actions and objects in plain Swedish — "Inloggning", not
``auth.login``; the user's name, not ``accounts.user 12``."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from insats.audit.labels import action_label
from insats.audit.services import log_action
from tests.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db


def _rows(page: str) -> list[str]:
    """The visible text of each row of the log's table."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split())
        for row in body.split("</tr>")
        if row.strip()
    ]


def test_logins_and_users_are_named_not_coded(client, world):
    member = world.user("owner", "viewer")
    client.post(reverse("accounts:login"), {"email": member.email, "password": "fel-lösenord"})
    client.post(reverse("accounts:login"), {"email": member.email, "password": PASSWORD})
    client.post(reverse("accounts:logout"))
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    rows = _rows(client.get(reverse("audit:search"), {"action": "auth."}).content.decode())
    text = "\n".join(rows)
    assert "auth.login" not in text and "accounts.user" not in text
    name = member.full_name or member.email
    assert any("Misslyckad inloggning" in r and name in r for r in rows), rows
    assert any(" Inloggning " in f" {r} " and name in r for r in rows), rows
    assert any("Utloggning" in r for r in rows), rows


def test_an_object_without_a_label_is_named_by_its_kind_and_number(client, world):
    log_action(
        "accounts.user.password_reset",
        organisation=world.orgs["owner"],
        object_type="accounts.user",
        object_id="987654",
        object_label="",
    )
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    rows = _rows(client.get(reverse("audit:search"), {"action": "accounts.user"}).content.decode())
    assert any("Lösenord återställt" in r and "Användare #987654" in r for r in rows), rows


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("auth.login", "Inloggning"),
        ("auth.login_failed", "Misslyckad inloggning"),
        ("contract.metric_add", "Utfallsmått tillagt"),
        ("contract.party_remove", "Part borttagen"),
        ("contract.change_approve", "Ändringsförslag godkänt av en part"),
        ("contract.result.returned", "Resultat återsänt för komplettering"),
        ("contract.payment.paid", "Betalning markerad som betald"),
        ("accounts.membership.added", "Medlemskap tillagt"),
        ("accounts.partnership.level_changed", "Partnerskap fick ny samverkansnivå"),
        ("situation.cause_node.moved", "Orsak flyttad"),
        ("situation.target_group.created", "Målgrupp skapad"),
    ],
)
def test_action_labels(code, label):
    assert action_label(code) == label


def test_the_log_names_its_users_in_one_query_not_one_per_row(client, world):
    """The page resolves the users its rows name together: 20 rows about users cost no more
    queries than 2 do."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = world.user("owner", "admin")
    login(client, admin, world.orgs["owner"])
    users = [u for (org, _role), u in world.users.items() if org == "owner"]

    def page_queries(count: int) -> int:
        for user in (users * 20)[:count]:
            log_action(
                "accounts.user.password_reset",
                organisation=world.orgs["owner"],
                object_type="accounts.user",
                object_id=str(user.pk),
                object_label="",
            )
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(reverse("audit:search"), {"action": "accounts.user"}).content.decode()
        assert (users[0].full_name or users[0].email) in page
        return len(ctx.captured_queries)

    few = page_queries(2)
    many = page_queries(18)
    assert many == few

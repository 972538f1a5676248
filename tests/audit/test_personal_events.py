"""An organisation's admins see the logins and failed logins of their own members, nobody else's."""

import pytest
from django.urls import reverse

from insats.audit.models import AuditEntry
from tests.conftest import PASSWORD, login


@pytest.mark.django_db
def test_admin_finds_failed_and_successful_logins_of_own_members(client, world):
    member = world.user("owner", "viewer")
    outsider = world.user("unrelated", "viewer")
    for user in (member, outsider):
        client.post(reverse("accounts:login"), {"email": user.email, "password": "fel-lösenord"})
        client.post(reverse("accounts:login"), {"email": user.email, "password": PASSWORD})
        client.post(reverse("accounts:logout"))
    assert AuditEntry.objects.filter(action="auth.login_failed", organisation__isnull=True).count() == 2

    login(client, world.user("owner", "admin"), world.orgs["owner"])
    page = client.get(reverse("audit:search"), {"action": "auth.login_failed"})
    shown = [e.object_id for e in page.context["page"].object_list]
    assert shown == [str(member.pk)]
    logins = client.get(reverse("audit:search"), {"action": "auth.login"}).context["page"].object_list
    assert {e.actor_id for e in logins if e.action == "auth.login"} >= {member.pk}
    assert outsider.pk not in {e.actor_id for e in logins} | {int(e.object_id or 0) for e in logins}

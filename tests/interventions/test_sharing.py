"""Sharing an intervention with a named organisation, end to end: the owner shares, the receiving
organisation's administrators get an e-mail, the receiving organisation sees the intervention
(read-only) in its catalogue, the owner revokes after a confirmation and it is gone again."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from insats.accounts.access import Actor
from insats.accounts.models import Share
from insats.audit.models import AuditEntry
from insats.interventions.catalogue import selectors as catalogue_selectors
from insats.interventions.sharing import services
from tests.conftest import login

from .sharing_data import SECRET_NAME, make_intervention

pytestmark = pytest.mark.django_db


def actor(world, org, role) -> Actor:
    return Actor(user=world.user(org, role), membership=world.membership(org, role))


def test_share_notify_revoke_end_to_end(world, client, django_capture_on_commit_callbacks):
    owner, partner = world.orgs["owner"], world.orgs["partner"]
    intervention = make_intervention(owner)
    url = reverse("interventions:intervention_share", args=[intervention.pk])

    # Before: the partner does not see it, in the catalogue or by the selector.
    login(client, world.user("partner", "analyst"), partner)
    assert SECRET_NAME not in client.get(reverse("interventions:home")).content.decode()

    login(client, world.user("owner", "analyst"), owner)
    # The owner finds the share page from the list of shares (every own intervention is listed).
    assert url in client.get(reverse("interventions:shares")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"organisation": partner.pk, "purpose": "samverkan"})
    assert response.status_code == 302
    share = Share.objects.get(organisation=partner, revoked_at__isnull=True)
    assert share.owner == owner and share.purpose == "samverkan" and share.object_id == str(intervention.pk)
    entry = AuditEntry.objects.get(action="interventions.intervention.shared")
    assert entry.organisation == owner and entry.object_id == str(intervention.pk)
    assert entry.changes["organisation"] == partner.name

    # The e-mail goes to the partner's administrators, and only to them.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [world.user("partner", "admin").email]
    assert SECRET_NAME in mail.outbox[0].subject and "samverkan" in mail.outbox[0].body
    assert "/insatser/" in mail.outbox[0].body

    # The partner sees it in its catalogue, read-only (it may not share or edit it).
    login(client, world.user("partner", "admin"), partner)
    assert SECRET_NAME in client.get(reverse("interventions:home")).content.decode()
    assert intervention in catalogue_selectors.visible_interventions(actor(world, "partner", "viewer"))
    assert client.get(url).status_code == 403
    assert SECRET_NAME in client.get(reverse("interventions:shares")).content.decode()

    # Revoking asks first (GET changes nothing), then revokes.
    login(client, world.user("owner", "admin"), owner)
    unshare = reverse("interventions:intervention_unshare", args=[intervention.pk, share.pk])
    page = client.get(unshare)
    assert page.status_code == 200 and partner.name in page.content.decode()
    assert Share.objects.filter(pk=share.pk, revoked_at__isnull=True).exists()
    assert client.post(unshare, follow=True).redirect_chain[-1][1] == 302  # message shown and consumed
    assert not Share.objects.filter(pk=share.pk, revoked_at__isnull=True).exists()
    assert AuditEntry.objects.filter(action="interventions.intervention.unshared").count() == 1

    login(client, world.user("partner", "admin"), partner)
    assert SECRET_NAME not in client.get(reverse("interventions:home")).content.decode()
    assert client.get(unshare).status_code == 404


def test_sharing_twice_or_with_oneself_is_refused_and_nothing_is_saved(world, client):
    owner, partner = world.orgs["owner"], world.orgs["partner"]
    intervention = make_intervention(owner)
    a = actor(world, "owner", "admin")
    services.intervention_share(actor=a, intervention=intervention, organisation=partner, purpose="samverkan")
    with pytest.raises(ValidationError) as exc:
        services.intervention_share(actor=a, intervention=intervention, organisation=partner, purpose="x")
    assert "organisation" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.intervention_share(actor=a, intervention=intervention, organisation=owner, purpose="x")
    assert "organisation" in exc.value.message_dict
    assert Share.objects.count() == 1

    login(client, world.user("owner", "admin"), owner)
    url = reverse("interventions:intervention_share", args=[intervention.pk])
    again = client.post(url, {"organisation": partner.pk, "purpose": "samverkan"})
    assert again.status_code == 200 and "redan delat med" in again.content.decode()
    empty = client.post(url, {"organisation": world.orgs["unrelated"].pk, "purpose": "  "})
    assert empty.status_code == 200
    own = client.post(url, {"organisation": owner.pk, "purpose": "samverkan"})
    assert own.status_code == 200  # not a choice
    assert Share.objects.count() == 1


def test_only_the_owner_may_share(world, client):
    intervention = make_intervention(world.orgs["owner"])
    url = reverse("interventions:intervention_share", args=[intervention.pk])
    login(client, world.user("unrelated", "admin"), world.orgs["unrelated"])
    assert client.get(url).status_code == 404
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    assert client.get(url).status_code == 403
    # A förbund member sees the förbund's portfolio but may not share it.
    fed = make_intervention(world.orgs["federation"], name="Förbundets insats")
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    assert client.get(reverse("interventions:intervention_share", args=[fed.pk])).status_code == 403
    assert "Förbundets insats" in client.get(reverse("interventions:home")).content.decode()


def test_cause_analyses_share_through_the_same_mechanism(world):
    """The situation's cause analyses use accounts.share_create/share_end: one mechanism."""
    from insats.situation import services_plans as sp
    from insats.situation.models_plans import CauseAnalysis

    a = actor(world, "owner", "admin")
    analysis = sp.save(actor=a, obj=CauseAnalysis(organisation=world.orgs["owner"]), values={"title": "T"})
    share = sp.cause_share(actor=a, analysis=analysis, organisation=world.orgs["partner"])
    assert share.granted_by == world.user("owner", "admin")
    assert list(sp.cause_shares(analysis)) == [share]
    sp.cause_unshare(actor=a, analysis=analysis, share=share)
    assert not sp.cause_shares(analysis).exists()
    actions = list(
        AuditEntry.objects.filter(action__startswith="situation.cause_analysis.").values_list(
            "action", flat=True
        )
    )
    assert "situation.cause_analysis.shared" in actions and "situation.cause_analysis.unshared" in actions

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from insats.accounts.models import Invitation, Organisation
from insats.audit.models import AuditEntry


@pytest.mark.django_db
def test_operator_creates_an_organisation_and_invites_its_admin(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "create_organisation",
            name="Ystads kommun",
            org_number="212000-1108",
            kind="kommun",
            area_code="1286",
            admin_email="Admin@Ystad.se",
        )
    org = Organisation.objects.get(name="Ystads kommun")
    invitation = Invitation.objects.get(organisation=org)
    assert invitation.email == "admin@ystad.se" and invitation.role == "admin"
    assert len(mail.outbox) == 1 and "/konto/inbjudan/" in mail.outbox[0].body
    assert mail.outbox[0].body.startswith(
        "Du har bjudits in att arbeta i Insats för Ystads kommun som Administratör."
    )
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions == ["accounts.organisation.created", "accounts.invitation.sent"]


@pytest.mark.django_db
def test_bad_organisation_number_names_the_field_and_saves_nothing():
    with pytest.raises(CommandError, match="org_number"):
        call_command(
            "create_organisation",
            name="X",
            org_number="212000-1109",
            kind="kommun",
            area_code="1286",
            admin_email="a@x.se",
        )
    assert not Organisation.objects.exists() and not AuditEntry.objects.exists()

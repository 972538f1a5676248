"""Issue 8, item 8: the audit log records what docs/operators.md ("What the audit log records") and
docs/security.md promise; one test per promise, in the order of the docs' table.

Each test makes the real request (page or API, with the Django test client) and looks for the entry
the docs name: its action, who read (actor and the reader's organisation), what was read (object)
and how (``via``: page or api)."""

from __future__ import annotations

import pytest
import weasyprint
from django.urls import reverse

from insats.accounts import services as account_services
from insats.accounts.models import User
from insats.audit.models import AuditEntry
from insats.audit.services import log_action
from insats.situation import services_plans as sp
from insats.situation.models_plans import Result
from tests.conftest import login
from tests.contracts.test_payments import approve_all
from tests.contracts.test_results_world import make_contract

pytestmark = pytest.mark.django_db


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


def one_new(action: str, before: int) -> AuditEntry:
    new = [e for e in entries(action) if e.seq > before]
    assert len(new) == 1, (action, [e.action for e in AuditEntry.objects.filter(seq__gt=before)])
    return new[0]


def head() -> int:
    last = AuditEntry.objects.order_by("-seq").first()
    return last.seq if last else 0


@pytest.fixture
def running(world):
    contract = make_contract(world)
    approve_all(world, contract)
    return contract


def check_read(client, world, url: str, action: str, obj, via: str, role=("owner", "viewer")):
    user = world.user(*role)
    login(client, user, world.orgs[role[0]])
    before = head()
    response = client.get(url)
    assert response.status_code == 200, url
    entry = one_new(action, before)
    assert entry.actor == user and entry.organisation == world.orgs[role[0]]
    assert (entry.object_type, entry.object_id) == (obj._meta.label_lower, str(obj.pk))
    assert entry.changes["via"] == via
    return entry


# --- reads of the fund's ledger, payments and outcome metrics: page and API ------------------------------


def test_reading_the_ledger_page_is_logged(client, world, running):
    check_read(
        client, world, reverse("contracts:ledger", args=[running.pk]), "contract.ledger.read", running, "page"
    )


def test_reading_the_ledger_api_is_logged(client, world, running):
    url = f"/api/v1/contracts/{running.pk}/ledger"
    check_read(client, world, url, "contract.ledger.read", running, "api")


def test_reading_the_payments_page_is_logged(client, world, running):
    url = reverse("contracts:payments", args=[running.pk])
    check_read(client, world, url, "contract.payments.read", running, "page")


def test_reading_the_payments_api_is_logged(client, world, running):
    url = f"/api/v1/contracts/{running.pk}/payments"
    check_read(client, world, url, "contract.payments.read", running, "api")


def test_reading_the_metrics_page_is_logged(client, world, running):
    url = reverse("contracts:metrics", args=[running.pk])
    check_read(client, world, url, "contract.metrics.read", running, "page")


def test_reading_the_metrics_api_is_logged(client, world, running):
    check_read(
        client, world, f"/api/v1/contracts/{running.pk}/metrics", "contract.metrics.read", running, "api"
    )
    metric = running.metrics.first()
    entry = check_read(
        client,
        world,
        f"/api/v1/contracts/{running.pk}/metrics/{metric.pk}",
        "contract.metrics.read",
        running,
        "api",
    )
    assert entry.changes["metric"] == metric.code


def test_a_refused_read_writes_no_read_entry(client, world, running):
    login(client, world.user("unrelated", "admin"), world.orgs["unrelated"])
    before = head()
    assert client.get(reverse("contracts:ledger", args=[running.pk])).status_code == 404
    assert client.get(f"/api/v1/contracts/{running.pk}/ledger").status_code == 404
    assert not AuditEntry.objects.filter(seq__gt=before, action__endswith=".read").exists()


# --- member lists with names and e-mail addresses -----------------------------------------------------------


def test_reading_the_member_list_page_is_logged(client, world):
    org = world.orgs["owner"]
    entry = check_read(
        client,
        world,
        reverse("accounts:members", args=[org.pk]),
        "accounts.members.read",
        org,
        "page",
        role=("owner", "admin"),
    )
    assert entry.changes["members"] == org.memberships.count()


def test_reading_the_member_list_api_is_logged(client, world):
    org = world.orgs["owner"]
    check_read(
        client, world, "/api/v1/memberships", "accounts.members.read", org, "api", role=("owner", "admin")
    )


# --- result exports (PDF, Excel) and failed exports ---------------------------------------------------------


@pytest.fixture
def result(world):
    from insats.accounts.access import Actor

    analyst = Actor(user=world.user("owner", "analyst"), membership=world.membership("owner", "analyst"))
    return sp.save(actor=analyst, obj=Result(organisation=world.orgs["owner"]), values={"title": "Närvaro"})


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_result_exports_are_logged(client, world, result, fmt):
    entry = check_read(
        client,
        world,
        reverse(f"situation:result_{fmt}", args=[result.pk]),
        "situation.result.exported",
        result,
        "page",
    )
    assert entry.changes["format"] == fmt


def test_a_failed_export_is_logged(client, world, result, monkeypatch):
    def broken(self, *args, **kwargs):  # WeasyPrint (third party) fails, e.g. a missing font or full disk
        raise OSError("No space left on device")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", broken)
    user = world.user("owner", "viewer")
    login(client, user, world.orgs["owner"])
    before = head()
    with pytest.raises(OSError):
        client.get(reverse("situation:result_pdf", args=[result.pk]))
    entry = one_new("situation.result.export_failed", before)
    assert entry.actor == user and entry.organisation == world.orgs["owner"]
    assert entry.changes["error"] == "OSError" and entry.changes["path"].endswith("export.pdf")
    assert not AuditEntry.objects.filter(seq__gt=before, action="situation.result.exported").exists()


def test_a_failed_contract_export_is_logged(client, world, running, monkeypatch):
    def broken(self, *args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", broken)
    line = running.payment_lines.exclude(calculation={}).first()
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    before = head()
    with pytest.raises(OSError):
        client.get(reverse("contracts:invoice_pdf", args=[running.pk, line.pk]))
    assert one_new("contract.invoice_basis.export_failed", before).changes["error"] == "OSError"


# --- operators see the whole audit log (docs/operators.md, section 4) ---------------------------------------


@pytest.fixture
def operator(world):
    return User.objects.create_superuser("drift@test.se", "x-Lösenord-123", full_name="Drift Ansvarig")


def test_an_operator_searches_the_whole_log(client, world, operator):
    mine = log_action("test.tomelilla", organisation=world.orgs["owner"], object_label="Tomelillas")
    theirs = log_action("test.lund", organisation=world.orgs["unrelated"], object_label="Lunds")
    login(client, operator)
    response = client.get(reverse("audit:search"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "test.tomelilla" in html and "test.lund" in html
    assert mine.seq and theirs.seq


def test_an_operator_exports_the_whole_log_and_the_export_is_logged(client, world, operator):
    log_action("test.lund", organisation=world.orgs["unrelated"])
    login(client, operator)
    before = head()
    response = client.get(reverse("audit:export"))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert "test.lund" in body
    assert one_new("audit.exported", before).actor == operator


def test_an_operator_starts_the_chain_check(client, world, operator):
    login(client, operator)
    response = client.post(reverse("audit:verify"))
    assert response.status_code == 302


def test_an_operator_sees_no_organisation_data(client, world, running, operator):
    login(client, operator)
    assert client.get(reverse("contracts:ledger", args=[running.pk])).status_code in (403, 404)
    assert client.get(reverse("accounts:members", args=[world.orgs["owner"].pk])).status_code in (403, 404)


def test_other_roles_still_do_not_see_the_log(client, world):
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    assert client.get(reverse("audit:search")).status_code == 403


def test_membership_changes_still_logged(world):
    # "invitations and role changes" (docs/admin.md): the service writes them (tests/audit/test_chain.py
    # covers every accounts workflow); here only that a new member shows up under the organisation.
    user = User.objects.create_user("ny@test.se", "x-Lösenord-123", full_name="Ny")
    account_services.membership_add(
        actor=world.user("owner", "admin"), user=user, organisation=world.orgs["owner"], role="viewer"
    )
    assert entries("accounts.membership.added")[-1].organisation == world.orgs["owner"]


def test_the_dashboards_payment_and_ledger_figures_are_logged_as_reads(client, world, running):
    login(client, world.user("owner", "viewer"), world.orgs["owner"])  # the commissioner: sees both
    before = head()
    assert client.get(reverse("contracts:dashboard", args=[running.pk])).status_code == 200
    for action in ("contract.payments.read", "contract.ledger.read"):
        entry = one_new(action, before)
        assert entry.changes == {"via": "page", "page": "dashboard"}


@pytest.mark.parametrize("via", ["page", "api"])
def test_a_failed_indigo_export_is_logged(client, world, running, monkeypatch, via):
    import jsonschema

    def invalid(self, instance, *args, **kwargs):  # jsonschema (third party) finds the document invalid
        yield jsonschema.ValidationError("is not valid under any of the given schemas")

    monkeypatch.setattr(jsonschema.Draft7Validator, "iter_errors", invalid)
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    url = (
        reverse("contracts:indigo_export", args=[running.pk])
        if via == "page"
        else f"/api/v1/contracts/{running.pk}/export/indigo"
    )
    before = head()
    if via == "page":
        with pytest.raises(ValueError, match="INDIGO validation failed"):
            client.get(url)
    else:  # the API answers every error, a 500 too, as problem+json
        response = client.get(url)
        assert response.status_code == 500
        assert response["Content-Type"].startswith("application/problem+json")
    entry = one_new("contract.export_failed", before)
    assert entry.changes["via"] == via and entry.changes["error"] == "ValueError"
    assert entry.object_id == str(running.pk)
    assert not AuditEntry.objects.filter(seq__gt=before, action="contract.exported").exists()

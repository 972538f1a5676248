"""Issue 8, item 21: a member with several roles sees which of them may do what — "Byt till rollen
Utvärderare för att godkänna" where the approve button would be — and switching role keeps the page."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from insats.accounts import access
from insats.accounts.middleware import SESSION_KEY
from insats.accounts.models import Membership
from tests.conftest import login
from tests.contracts.test_results import report
from tests.contracts.test_results_world import make_contract

pytestmark = pytest.mark.django_db


def _text(page: bytes) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.decode())).split())


@pytest.fixture
def two_roles(world):
    """The validator's contract manager, who is also an evaluator there (acting as contract manager)."""
    user = world.user("federation", "contract_manager")
    manager = world.membership("federation", "contract_manager")
    evaluator = Membership.objects.create(user=user, organisation=world.orgs["federation"], role="evaluator")
    return user, manager, evaluator


def _act_as(client, user, membership, org):
    login(client, user, org)
    session = client.session
    session[SESSION_KEY] = membership.pk
    session.save()


def test_access_names_the_other_role_that_may(world, two_roles):
    user, manager, evaluator = two_roles
    contract = make_contract(world)
    as_manager = access.Actor(user=user, membership=manager)
    assert not access.can(as_manager, "contract.result.validate", contract)
    assert access.other_roles_allowing(as_manager, "contract.result.validate", contract) == [evaluator]
    as_evaluator = access.Actor(user=user, membership=evaluator)
    assert access.other_roles_allowing(as_evaluator, "contract.result.validate", contract) == []
    # a plain evaluator with no other role gets no hint
    lone = access.Actor(user=world.user("owner", "viewer"), membership=world.membership("owner", "viewer"))
    assert access.other_roles_allowing(lone, "contract.result.validate", contract) == []


def test_hint_where_the_approve_button_would_be_and_the_switch_keeps_the_page(client, world, two_roles):
    user, manager, evaluator = two_roles
    contract = make_contract(world)
    r = report(world, contract)
    url = reverse("contracts:result_detail", kwargs={"pk": contract.pk, "rid": r.pk})
    _act_as(client, user, manager, world.orgs["federation"])
    page = client.get(url)
    text = _text(page.content)
    assert "Byt till rollen Utvärderare för att godkänna" in text
    assert 'action="' + reverse("contracts:result_approve", kwargs={"pk": contract.pk, "rid": r.pk}) not in (
        page.content.decode()
    )
    switched = client.post(reverse("accounts:switch"), {"membership": evaluator.pk, "next": url})
    assert switched.status_code == 302 and switched["Location"] == url
    after = client.get(url).content.decode()
    assert reverse("contracts:result_approve", kwargs={"pk": contract.pk, "rid": r.pk}) in after
    assert "Byt till rollen" not in _text(after.encode())


def test_switch_refuses_a_next_on_another_site(client, world, two_roles):
    user, manager, evaluator = two_roles
    _act_as(client, user, manager, world.orgs["federation"])
    for bad in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        r = client.post(reverse("accounts:switch"), {"membership": evaluator.pk, "next": bad})
        assert r.status_code == 302 and r["Location"] == reverse("web:home"), bad


def test_header_switcher_sends_the_current_page(client, world, two_roles):
    user, manager, _evaluator = two_roles
    _act_as(client, user, manager, world.orgs["federation"])
    url = reverse("accounts:profile") if _has("accounts:profile") else reverse("web:home")
    page = client.get(url).content.decode()
    form = page.split('class="switch-form"', 1)[1].split("</form>", 1)[0]
    assert f'name="next" value="{url}"' in form


def _has(name: str) -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


def test_results_list_names_the_role_that_may_validate(client, world, two_roles):
    user, manager, _evaluator = two_roles
    contract = make_contract(world)
    report(world, contract)
    _act_as(client, user, manager, world.orgs["federation"])
    text = _text(client.get(reverse("contracts:results", kwargs={"pk": contract.pk})).content)
    assert "Byt till rollen Utvärderare för att validera resultaten" in text

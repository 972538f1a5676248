"""Issue 8 item 11: Schemathesis against the OpenAPI document, through the real WSGI application.

Every operation of ``/api/v1/openapi.json`` gets a bounded number of generated requests (valid ones,
and ones that break the schema), sent with a valid token of an administrator of the organisation
that owns the seeded data. The test fails on any 5xx and on any response whose status, content
type, headers or body the document does not declare. Path parameters are drawn both at random and
from the seeded objects, so operations are exercised on real rows too, not only on 404s.

``SCHEMATHESIS_MAX_EXAMPLES`` (default 25) sets the examples per operation and generation mode;
the run is derandomised, so CI sees the same requests every time.
"""

from __future__ import annotations

import datetime
import os
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from insats.accounts import services as account_services
from insats.accounts.access import Actor
from insats.situation import services_plans as sp
from insats.situation.models_plans import Result
from insats.wsgi import application
from tests.api.conftest import make_token
from tests.contracts.test_results_world import make_contract

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def wsgi_requests():
    """Requests through the WSGI handler inside the test's transaction (as Django's test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def seed(world) -> dict:
    """Objects for the path parameters: the owner's contract, a metric, a partnership, a plan."""
    contract = make_contract(world)
    owner = world.membership("owner", "admin")
    actor = Actor(user=owner.user, membership=owner)
    partnership = account_services.partnership_create(
        actor=owner.user,
        organisation=world.orgs["owner"],
        partner=world.orgs["unrelated"],
        level=3,
        valid_from=datetime.date(2025, 1, 1),
    )
    result = sp.save(actor=actor, obj=Result(organisation=world.orgs["owner"]), values={"title": "Frånvaro"})
    payment = contract.payment_lines.first()
    report = contract.result_reports.first()
    ids = {
        "pk": contract.pk,
        "metric_id": contract.metrics.first().pk,
        "partnership_id": partnership.pk,
        "organisation_id": world.orgs["owner"].pk,
        "result_id": result.pk,
        "code": "1270",
    }
    if payment is not None:
        ids["lid"] = payment.pk
    if report is not None:
        ids["rid"] = report.pk
    return ids


@override_settings(ALLOWED_HOSTS=["localhost", "testserver"], API_RATE_LIMIT=0)
def test_every_operation_answers_as_documented(world, wsgi_requests):
    ids = seed(world)
    headers = {"Authorization": f"Bearer {make_token(world.membership('owner', 'admin'))}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        known = {name: ids[name] for name in names if name in ids}
        strategies = [operation.as_strategy(generation_mode=mode) for mode in GenerationMode]
        if known and len(known) == len(names):
            strategies.append(operation.as_strategy(path_parameters=known))

        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        @given(case=st.one_of(strategies))
        def run(case):
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            statuses[response.status_code] += 1

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    print(f"schemathesis: {len(operations)} operations, responses by status {sorted(statuses.items())}")
    assert not failures, "\n\n".join(failures)
    # The token works and the seeded objects are reached: not a run of 401s and 404s only.
    assert statuses[200] >= len(operations) and statuses[201] > 0 and statuses[422] > 0

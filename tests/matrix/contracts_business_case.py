"""Matrix entries for the business case of an outcomes contract (contracts/views_business_case.py).

Written from the brief and the contract abilities in ``accounts/access.py``:

* the contract here (tests/contracts/test_business_case_world.py) has the owner (Tomelilla) as
  commissioner and the partner (RISE) as provider; the unrelated organisation is no party;
* ``contract.business_case.view``: every role of every party reads the scenarios, results and the
  comparison;
* ``contract.business_case.run``: administrators, contract managers and analysts of the
  commissioner, the fund, the provider or an intermediary create scenarios and run them — so the
  same three roles in the owner's and the provider's column;
* the unrelated organisation gets 404 everywhere.

The scenario is made once per world, with a finished (small) run.
"""

from __future__ import annotations

from insats.accounts.access import Actor
from insats.accounts.models import Role
from tests.matrix import ALL, NONE, Entry

RUNNERS = frozenset({Role.ADMIN.value, Role.CONTRACT_MANAGER.value, Role.ANALYST.value})
PARTIES_READ = {"own": ALL, "partner": ALL, "unrelated": NONE}
PARTIES_RUN = {"own": RUNNERS, "partner": RUNNERS, "unrelated": NONE}


def ensure(w, key: str, factory):
    cache = w.__dict__.setdefault("_matrix_objects", {})
    if key not in cache:
        cache[key] = factory(w)
    return cache[key]


def _contract(w):
    from tests.contracts.test_business_case_world import make_contract

    return ensure(w, "bc_contract", lambda w: make_contract(w, reference="matrix-affarscase"))


def _scenario(w):
    def make(w):
        from insats.contracts import business_case as bc
        from tests.contracts.test_business_case_world import scenario_inputs

        actor = Actor(user=w.user("owner", "analyst"), membership=w.membership("owner", "analyst"))
        s = bc.scenario_create(
            actor=actor, contract=_contract(w), inputs=scenario_inputs(draws=500), name="Matris"
        )
        return bc.scenario_run(s.pk)

    return ensure(w, "bc_scenario", make)


def _form(w) -> dict:
    from tests.contracts.test_business_case_views import form_data

    return form_data(draws="500", name="Matris POST")


ENTRIES = {
    "contracts:business_case": Entry(kwargs=lambda w: {"pk": _contract(w).pk}, **PARTIES_READ),
    "contracts:business_case_new": Entry(kwargs=lambda w: {"pk": _contract(w).pk}, **PARTIES_RUN),
    "contracts:business_case_new#post": Entry(
        kwargs=lambda w: {"pk": _contract(w).pk},
        method="POST",
        data=_form,
        ok_statuses=frozenset({302}),
        note="a valid scenario: saved and the run started (rolled back before the task runs)",
        **PARTIES_RUN,
    ),
    "contracts:scenario": Entry(
        kwargs=lambda w: {"pk": _contract(w).pk, "scenario": _scenario(w).pk}, **PARTIES_READ
    ),
    "contracts:scenario_compare": Entry(
        kwargs=lambda w: {"pk": _scenario(w).contract_id},
        note="without ?s= it asks for two or three scenarios (200)",
        **PARTIES_READ,
    ),
}

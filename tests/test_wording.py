"""Issue 8, item 22: the language on the pages — whole sentences, the same word for the same role,
units that fit a level, numbers of parties that agree, no references to the seed documents."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest
from django.urls import reverse

from insats.accounts import auth_views
from insats.accounts.demo_data import RECOVERY_CODES_PER_USER
from insats.contracts import services
from insats.contracts.rule_text import describe_rule
from insats.contracts.views_business_case import break_even_row
from tests.conftest import login
from tests.matrix.contracts import actor, draft_contract

SRC = Path(__file__).resolve().parents[1] / "src" / "insats"


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_break_even_says_who_goes_plus_or_minus():
    _label, text = break_even_row(
        {"npv_at_low": 10, "npv_at_high": 20, "value": None, "low": 0.1, "high": 0.3}
    )
    assert "beställaren går plus redan vid den lägsta troliga effekten" in text
    _label, text = break_even_row(
        {"npv_at_low": -20, "npv_at_high": -10, "value": None, "low": 0.1, "high": 0.3}
    )
    assert "beställaren går minus även vid den högsta troliga effekten" in text


def test_a_level_of_a_metric_counted_in_percentage_points_is_a_per_cent():
    first = describe_rule({"counterfactual": {"kind": "baseline", "value": "70"}}, "procentenheter")[0]
    assert "70\u00a0%" in first or "70 %" in first, first
    assert "70 procentenheter" not in first
    # other units are kept
    assert (
        "50 placeringar"
        in describe_rule({"counterfactual": {"kind": "baseline", "value": "50"}}, "placeringar")[0]
    )


def test_recovery_code_help_does_not_promise_ten_codes():
    help_text = str(auth_views.RecoveryForm().fields["recovery_code"].help_text)
    assert "tio" not in help_text.split() and RECOVERY_CODES_PER_USER != 10


@pytest.mark.django_db
def test_signing_caption_agrees_with_one_party(client, world):
    import datetime

    c = services.contract_create(
        actor=actor(world, "owner"),
        owner=world.orgs["owner"],
        title="En part",
        reference="en-part",
        term_start=datetime.date(2026, 1, 1),
        term_end=datetime.date(2026, 12, 31),
        period_type="year",
    )
    assert c.parties.count() == 1
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    text = _text(client.get(reverse("contracts:detail", kwargs={"pk": c.pk})))
    assert "0 av 1 part har undertecknat" in text and "1 parter" not in text


@pytest.mark.django_db
def test_validator_is_valideraren_and_the_business_case_sentence_is_whole(client, world):
    c = draft_contract(world)
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    pages = [
        _text(client.get(reverse(name, kwargs={"pk": c.pk})))
        for name in ("contracts:results", "contracts:payments", "contracts:dashboard")
    ]
    joined = " ".join(pages)
    assert "validatorn" not in joined.lower()
    assert "valideraren" in joined.lower()
    assert "ett körts" not in joined
    assert "Undvikna kostnader visas när ett affärscase har körts för kontraktet." in pages[2]


def _user_strings(path: Path):
    """String constants of a module that are not docstrings."""
    tree = ast.parse(path.read_text())
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.value


def test_no_seed_references_in_what_users_see():
    """Demo data and templates name the documents (Tomelilla kommuns RFI …), never 'frö 000'."""
    seed = re.compile(r"\b(frö|seed)\s*0\d\d\b", re.IGNORECASE)
    found = []
    for path in list(SRC.rglob("demo*.py")) + list(SRC.rglob("*.html")):
        texts = _user_strings(path) if path.suffix == ".py" else [path.read_text()]
        found += [f"{path.relative_to(SRC)}: {t[:80]}" for t in texts if seed.search(t)]
    assert not found, found

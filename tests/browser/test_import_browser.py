"""The own data import in Chromium: a bad file changes nothing and the page names its errors by row and
column; a good file imports. axe-core finds no serious or critical violation on the pages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from insats.accounts.access import Actor
from insats.situation import services_import as si
from insats.situation.models import Observation
from insats.situation.services import load_areas

from .conftest import describe, run_axe, session_cookie_for

pytestmark = pytest.mark.browser

HEADER = "omrade;indikator;period;kon;varde;antal"


@pytest.fixture
def analyst(bworld, context, live_server):
    user, org = bworld.user("owner", "analyst"), bworld.orgs["owner"]
    load_areas()  # a transactional test's flush also empties the tables data migrations filled
    si.indicator_create(
        actor=Actor(user=user, membership=bworld.membership("owner", "analyst")),
        organisation=org,
        code="FRANVARO",
        title_sv="Hög frånvaro",
    )
    context.add_cookies([session_cookie_for(live_server, user, org)])
    return user


def upload(page, name: str, text: str) -> None:
    page.goto(reverse("situation:import_start"))
    assert run_axe(page) == [], describe(run_axe(page))
    page.get_by_label("Fil (CSV eller Excel .xlsx)").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}
    )
    page.get_by_role("button", name="Ladda upp och välj kolumner").click()
    page.wait_for_url("**/import/*/")
    # the columns were recognised by their names
    assert page.locator("#id_col_area").input_value() == "omrade"
    violations = run_axe(page)
    assert violations == [], describe(violations)
    page.get_by_role("button", name="Kontrollera och importera").click()
    page.wait_for_load_state()


def test_a_bad_file_changes_nothing_and_names_its_errors(page, analyst):
    upload(
        page,
        "fel.csv",
        "\n".join(
            [
                HEADER,
                "1270;FRANVARO;2024;T;12,5;40",
                "1270;FRANVARO;2024;T;tolv;40",
                "1270;FRANVARO;2023;X;3;-1",
            ]
        ),
    )
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Ingenting är importerat")
    assert "3 fel" in alert.inner_text() and "Ingenting är importerat" in alert.inner_text()
    rows = page.locator("#import-errors tbody tr")
    cells = [rows.nth(i).locator("td").all_inner_texts()[:2] for i in range(rows.count())]
    assert cells == [["3", "varde"], ["4", "kon"], ["4", "antal"]]
    assert Observation.objects.count() == 0
    assert page.get_by_role("link", name="Ladda ned felrapporten (CSV)").count() == 1
    violations = run_axe(page)
    assert violations == [], describe(violations)


def test_a_good_file_is_imported(page, analyst):
    upload(
        page, "ok.csv", "\n".join([HEADER, "1270;FRANVARO;2023;T;12,5;40", "1270;FRANVARO;2024;T;10,1;38"])
    )
    expect(page.locator("main p[role=status]")).to_contain_text("2 nya")
    assert sorted(Observation.objects.values_list("period", flat=True)) == [2023, 2024]

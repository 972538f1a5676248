"""sync_kolada and sync_kolada_groups through the real client and a local HTTP stub.

Expected counts are taken by hand from the recorded files (tests/integrations/kolada_responses/
README.md): 24 cells; the revised files change exactly three of them.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from insats.accounts.models import BackgroundJob
from insats.audit.models import AuditEntry
from insats.audit.services import verify_chain
from insats.integrations.kolada import KoladaClient
from insats.situation.models import (
    KOLADA_SOURCE_LABEL,
    Area,
    AreaGroup,
    GroupObservation,
    Indicator,
    Observation,
)
from insats.situation.services import Revision, parse_years, sync_kolada, sync_kolada_groups
from insats.situation.tasks import start_kolada_sync
from tests.conftest import login
from tests.integrations.kolada_stub import Reply

pytestmark = pytest.mark.django_db

DATA = "data/kpi/N15419,N15428/municipality/1270,1283/year/2022,2023"
MAY = date(2024, 5, 1)  # between N15428's preliminary (2024-03-15) and final (2024-09-30) publication
OCTOBER = date(2024, 10, 1)


def since() -> str:
    """The ``from_date`` of the deletion pass: the day before the values were fetched (today)."""
    return (timezone.localdate() - timedelta(days=1)).isoformat()


def serve(stub, *, revised=False):
    suffix = "_revised" if revised else ""
    stub.add("kpi/N15419,N15428?per_page=5000", "kpi_N15419_N15428.json")
    stub.add(DATA + "?per_page=5000", f"data_page1{suffix}.json")
    stub.add(DATA + "?page=2&per_page=5000", f"data_page2{suffix}.json")
    # What changed since then: the revised cells, the withdrawn one flagged ``isdeleted`` (only here).
    changes = "data_changes_since.json" if revised else "empty.json"
    stub.add(f"{DATA}?from_date={since()}&per_page=5000", changes)


def run(stub, sleep, today=MAY, **kw):
    client = KoladaClient(base_url=stub.base_url, sleep=sleep)
    return sync_kolada(
        kpis=["N15419", "n15428"],
        years=[2022, 2023],
        municipalities=["1270", "1283"],
        client=client,
        today=today,
        **kw,
    )


def obs(kpi, area, period, gender):
    return Observation.objects.get(indicator__code=kpi, area__code=area, period=period, gender=gender)


def test_first_sync_inserts_every_cell(kolada_stub, no_sleep):
    serve(kolada_stub)
    report = run(kolada_stub, no_sleep)
    assert (report.inserted, report.updated, report.unchanged, report.revisions) == (24, 0, 0, [])
    assert report.requests == 3  # KPI metadata + two data pages
    assert report.indicators_created == ["N15419", "N15428"]
    assert Observation.objects.count() == 24

    o = obs("N15428", "1283", 2023, "K")
    assert o.value == Decimal("88.1") and o.source == "kolada" and o.source_label == KOLADA_SOURCE_LABEL
    # Kolada's count is the number of units averaged (1 for a kommun), not of children: not stored,
    # or the lägesbild's small-count rule would hide every Kolada value.
    assert not Observation.objects.filter(count__isnull=False).exists()
    missing = obs("N15419", "1270", 2023, "M")
    assert missing.value is None and missing.status == "Missing"

    ind = Indicator.objects.get(code="N15428")
    assert ind.title_sv.startswith("Elever i åk. 9 som är behöriga till yrkesprogram")
    assert ind.divided_by_gender and ind.publ_period == 2023 and ind.organisation is None
    assert ind.prel_publication_date == date(2024, 3, 15)


def test_preliminary_marks_follow_the_kpi_publication_dates(kolada_stub, no_sleep):
    serve(kolada_stub)
    run(kolada_stub, no_sleep, today=MAY)
    prel = Observation.objects.filter(preliminary=True)
    assert sorted({(o.indicator.code, o.period) for o in prel}) == [("N15428", 2023)]
    assert prel.count() == 6  # 2 kommuner × 3 genders

    # After the final publication the same values are final: an update, not a revision.
    report = run(kolada_stub, no_sleep, today=OCTOBER)
    assert (report.inserted, report.updated, report.unchanged) == (0, 6, 18)
    assert report.revisions == []
    assert not Observation.objects.filter(preliminary=True).exists()


def test_resync_is_idempotent(kolada_stub, no_sleep):
    serve(kolada_stub)
    run(kolada_stub, no_sleep)
    first = dict(Observation.objects.values_list("id", "fetched_at"))
    report = run(kolada_stub, no_sleep)
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 24)
    assert report.indicators_created == [] and report.indicators_updated == []
    assert dict(Observation.objects.values_list("id", "fetched_at")) == first  # untouched rows


def test_revised_values_are_reported_old_to_new(kolada_stub, no_sleep):
    serve(kolada_stub)
    run(kolada_stub, no_sleep)
    serve(kolada_stub, revised=True)
    report = run(kolada_stub, no_sleep)

    assert (report.inserted, report.updated, report.unchanged, report.withdrawn) == (0, 3, 21, 1)
    assert report.deletions_since == timezone.localdate() - timedelta(days=1)
    assert kolada_stub.paths()[-1] == f"/v3/{DATA}?from_date={since()}&per_page=5000"
    assert report.revisions == [
        Revision("N15419", "1283", 2023, "T", Decimal("74.000000"), Decimal("74.200000")),
        Revision("N15428", "1270", 2023, "T", Decimal("79.500000"), None),
    ]
    assert obs("N15419", "1270", 2023, "M").value == Decimal("56.8")  # filled in, not a revision
    withdrawn = obs("N15428", "1270", 2023, "T")
    assert withdrawn.value is None and withdrawn.status == "isdeleted" and not withdrawn.preliminary


def test_one_audit_entry_per_sync_with_the_summary(kolada_stub, no_sleep, world):
    serve(kolada_stub)
    admin = world.user("owner", "analyst")
    before = AuditEntry.objects.count()
    run(kolada_stub, no_sleep, actor=admin, organisation=world.orgs["owner"])
    serve(kolada_stub, revised=True)
    run(kolada_stub, no_sleep, actor=admin, organisation=world.orgs["owner"])
    entries = list(AuditEntry.objects.filter(seq__gt=before).order_by("seq"))
    assert [e.action for e in entries] == ["situation.kolada.synced", "situation.kolada.synced"]
    assert entries[0].actor == admin and entries[0].organisation == world.orgs["owner"]
    assert entries[0].changes["inserted"] == 24
    assert entries[1].changes["revisions_total"] == 2
    assert entries[1].changes["revisions"][0] == {
        "kpi": "N15419",
        "area": "1283",
        "period": 2023,
        "gender": "T",
        "old": "74.000000",
        "new": "74.200000",
    }
    assert verify_chain().ok


def serve_all(stub):
    """N15419 for every area in 2023: Riket, Region Skåne, Tomelilla and group G35951 (70.6, 7)."""
    stub.add(
        "kpi/N15419?per_page=5000",
        Reply(
            body={
                "values": [
                    {
                        "id": "N15419",
                        "title": "Elever i åk. 9 som uppnått kunskapskraven i alla ämnen",
                        "is_divided_by_gender": True,
                        "publ_period": "2023",
                    }
                ],
                "count": 1,
                "next_url": None,
                "previous_url": None,
            }
        ),
    )
    stub.add("data/kpi/N15419/year/2023?per_page=5000", "data_N15419_2023_all.json")
    stub.add(f"data/kpi/N15419/year/2023?from_date={since()}&per_page=5000", "empty.json")


def test_all_areas_skips_ids_that_are_not_areas(kolada_stub, no_sleep):
    serve_all(kolada_stub)
    report = sync_kolada(kpis=["N15419"], years=[2023], client=KoladaClient(sleep=no_sleep))
    assert (report.inserted, report.skipped_unknown_area, report.unknown_areas) == (3, 1, ["G35951"])
    assert sorted(Observation.objects.values_list("area__code", "value")) == [
        ("0000", Decimal("73.8")),
        ("12", Decimal("72.9")),
        ("1270", Decimal("61.4")),
    ]
    assert not GroupObservation.objects.exists()


def test_kolada_group_average_is_kept_as_kolada_gives_it(kolada_stub, no_sleep):
    group = AreaGroup.objects.create(
        name="Liknande kommuner grundskola, Höör, 2024", kind="kolada", kolada_id="G35951"
    )
    serve_all(kolada_stub)
    report = sync_kolada(kpis=["N15419"], years=[2023], client=KoladaClient(sleep=no_sleep))
    assert (report.inserted, report.skipped_unknown_area, report.group_values_written) == (3, 0, 1)
    kept = GroupObservation.objects.get()
    assert (kept.group, kept.indicator.code, kept.period, kept.gender) == (group, "N15419", 2023, "T")
    assert (kept.value, kept.count, kept.source_label) == (Decimal("70.6"), 7, "Källa: Kolada")
    again = sync_kolada(kpis=["N15419"], years=[2023], client=KoladaClient(sleep=no_sleep))
    assert (again.group_values_written, again.group_values_unchanged) == (0, 1)
    # A group we hold may also be named among the municipalities.
    kolada_stub.add("kpi/N15419?per_page=5000", "kpi_N15419_N15428.json")
    kolada_stub.add(
        "data/kpi/N15419/municipality/1270,G35951/year/2023?per_page=5000", "data_N15419_2023_all.json"
    )
    kolada_stub.add(
        f"data/kpi/N15419/municipality/1270,G35951/year/2023?from_date={since()}&per_page=5000", "empty.json"
    )
    named = sync_kolada(
        kpis=["N15419"], years=[2023], municipalities=["1270", "g35951"], client=KoladaClient(sleep=no_sleep)
    )
    assert named.municipalities == ["1270", "G35951"] and named.group_values_unchanged == 1
    # Withdrawn upstream: flagged only in the answer to from_date, as for areas.
    kolada_stub.add(
        f"data/kpi/N15419/municipality/1270,G35951/year/2023?from_date={since()}&per_page=5000",
        Reply(
            body={
                "values": [
                    {
                        "kpi": "N15419",
                        "municipality": "G35951",
                        "period": 2023,
                        "values": [
                            {"count": 7, "gender": "T", "status": "", "value": None, "isdeleted": True}
                        ],
                    }
                ],
                "count": 1,
                "next_url": None,
                "previous_url": None,
            }
        ),
    )
    kolada_stub.add(
        "data/kpi/N15419/municipality/1270,G35951/year/2023?per_page=5000",
        Reply(body={"values": [], "count": 0, "next_url": None, "previous_url": None}),
    )
    withdrawn = sync_kolada(
        kpis=["N15419"], years=[2023], municipalities=["1270", "G35951"], client=KoladaClient(sleep=no_sleep)
    )
    assert withdrawn.group_values_written == 1
    kept.refresh_from_db()
    assert kept.value is None and kept.status == "isdeleted"


def test_bad_input_names_the_field(kolada_stub, no_sleep):
    client = KoladaClient(sleep=no_sleep)
    with pytest.raises(ValueError, match="kpi"):
        sync_kolada(kpis=["15419"], years=[2023], client=client)
    with pytest.raises(ValueError, match="municipalities: okända områdeskoder: 9999"):
        sync_kolada(kpis=["N15419"], years=[2023], municipalities=["1270", "9999"], client=client)
    kolada_stub.add("kpi/N99998,N99999?per_page=5000", "empty.json")
    with pytest.raises(ValueError, match="kpi: Kolada känner inte till N99998, N99999"):
        sync_kolada(kpis=["N99998", "N99999"], years=[2023], client=client)
    assert Observation.objects.count() == 0


def test_a_kpi_removed_upstream_is_skipped_and_reported(kolada_stub, no_sleep, world):
    # N15999 was removed from Kolada: /kpi answers with the other two only.
    kolada_stub.add("kpi/N15419,N15428,N15999?per_page=5000", "kpi_N15419_N15428.json")
    serve(kolada_stub)
    report = sync_kolada(
        kpis=["N15419", "N15428", "N15999"],
        years=[2022, 2023],
        municipalities=["1270", "1283"],
        client=KoladaClient(sleep=no_sleep),
        today=MAY,
        actor=world.user("owner", "analyst"),
    )
    assert report.missing_kpis == ["N15999"]
    assert report.inserted == 24  # the other two KPIs' values, as without N15999
    assert not Indicator.objects.filter(code="N15999").exists()
    entry = AuditEntry.objects.filter(action="situation.kolada.synced").latest("seq")
    assert entry.changes["missing_kpis"] == ["N15999"]


def test_deletion_pass_only_when_there_is_something_to_withdraw(kolada_stub, no_sleep):
    serve(kolada_stub)
    first = run(kolada_stub, no_sleep)
    assert first.deletions_since is None and not any("from_date" in p for p in kolada_stub.paths())
    second = run(kolada_stub, no_sleep)
    assert second.requests == 4  # metadata, two data pages, the changes since (empty)
    assert (second.withdrawn, second.unchanged) == (0, 24)


def test_a_failing_fetch_writes_nothing(kolada_stub, no_sleep):
    kolada_stub.add("kpi/N15419,N15428?per_page=5000", "kpi_N15419_N15428.json")
    kolada_stub.add(DATA + "?per_page=5000", "data_page1.json")
    kolada_stub.add(DATA + "?page=2&per_page=5000", Reply(500, "error_503.json"))
    client = KoladaClient(sleep=no_sleep, max_retries=1)
    with pytest.raises(Exception, match="HTTP 500"):
        sync_kolada(
            kpis=["N15419", "N15428"], years=[2022, 2023], municipalities=["1270", "1283"], client=client
        )
    assert Observation.objects.count() == 0 and Indicator.objects.count() == 0


def test_groups_sync_creates_then_leaves_unchanged(kolada_stub, no_sleep):
    kolada_stub.add(
        "municipality_groups?title=Liknande kommuner&per_page=5000", "municipality_groups_liknande.json"
    )
    kolada_stub.add("municipality_groups/G37416?per_page=5000", "municipality_groups_G37416.json")
    client = KoladaClient(sleep=no_sleep)
    report = sync_kolada_groups(client=client)
    assert (report.created, report.updated, report.unknown_members) == (["G35951", "G37416"], [], ["G99"])
    g = AreaGroup.objects.get(kolada_id="G35951")
    assert sorted(g.members.values_list("name", flat=True)) == sorted(
        ["Gnesta", "Söderköping", "Östra Göinge", "Lilla Edet", "Kil", "Gagnef", "Lycksele"]
    )
    assert AreaGroup.objects.get(kolada_id="G37416").members.count() == 6
    again = sync_kolada_groups(client=client)
    assert (again.created, again.updated, again.unchanged) == ([], [], 2)
    assert AuditEntry.objects.filter(action="situation.kolada.groups_synced").count() == 1


def test_background_task_tracks_progress(kolada_stub, world, django_capture_on_commit_callbacks):
    serve(kolada_stub)
    user = world.user("owner", "analyst")
    with django_capture_on_commit_callbacks(execute=True):
        job = start_kolada_sync(
            user=user,
            organisation=world.orgs["owner"],
            kpis=["N15419", "N15428"],
            years=[2022, 2023],
            municipalities=["1270", "1283"],
        )
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE
    assert (job.done, job.total) == (1, 1)  # one chunked data request
    assert job.result["inserted"] == 24 and job.result["revisions_total"] == 0
    assert "24 nya" in job.message
    assert AuditEntry.objects.filter(action="situation.kolada.synced", actor=user).count() == 1

    # A second sync also asks for what was deleted since: two passes of one request each.
    serve(kolada_stub, revised=True)
    kolada_stub.add("kpi/N15419,N15428,N15999?per_page=5000", "kpi_N15419_N15428.json")
    with django_capture_on_commit_callbacks(execute=True):
        job = start_kolada_sync(
            user=user,
            organisation=world.orgs["owner"],
            kpis=["N15419", "N15428", "N15999"],
            years=[2022, 2023],
            municipalities=["1270", "1283"],
        )
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE
    assert (job.done, job.total) == (2, 2)
    assert job.result["withdrawn"] == 1 and job.result["missing_kpis"] == ["N15999"]
    assert "N15999" in job.message


def test_background_task_failure_is_shown_on_the_job(kolada_stub, world, django_capture_on_commit_callbacks):
    kolada_stub.add("kpi/N99999?per_page=5000", "empty.json")
    with django_capture_on_commit_callbacks(execute=True):
        job = start_kolada_sync(
            user=world.user("owner", "analyst"),
            organisation=world.orgs["owner"],
            kpis=["N99999"],
            years=[2023],
        )
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.FAILED
    assert "N99999" in job.message


def test_command_sync_prints_counts_and_revisions(kolada_stub):
    serve(kolada_stub)
    out = StringIO()
    args = ["sync", "--kpi", "N15419,N15428", "--years", "2022-2023", "--municipalities", "1270,1283"]
    call_command("kolada", *args, stdout=out)
    assert "24 inserted, 0 updated, 0 unchanged" in out.getvalue()
    assert "request 1/1" in out.getvalue()
    serve(kolada_stub, revised=True)
    out = StringIO()
    call_command("kolada", *args, stdout=out)
    assert "0 inserted, 3 updated, 21 unchanged, 1 withdrawn" in out.getvalue()
    assert "revised N15419 1283 2023 T: 74.000000 -> 74.200000" in out.getvalue()


def test_command_rejects_bad_years(kolada_stub):
    with pytest.raises(CommandError, match="years: 2024-2015"):
        call_command("kolada", "sync", "--kpi", "N15419", "--years", "2024-2015")


@given(st.integers(1950, 2090), st.integers(0, 30))
def test_parse_years_range(start, length):
    end = min(start + length, 2100)
    assert parse_years(f"{start}-{end}") == list(range(start, end + 1))
    assert parse_years(f"{end},{start}") == sorted({start, end})


# --------------------------------------------------------------------------- from the UI


def test_analyst_starts_a_sync_from_the_page_and_follows_its_progress(
    client, kolada_stub, world, django_capture_on_commit_callbacks
):
    serve(kolada_stub)
    analyst = world.user("owner", "analyst")
    login(client, analyst, world.orgs["owner"])
    page = client.get(reverse("situation:kolada_sync"))
    assert page.status_code == 200
    assert b'name="kpis"' in page.content and b'name="years"' in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("situation:kolada_sync"),
            {"kpis": "N15419, n15428", "years": "2022-2023", "municipalities": "1270, 1283"},
        )
    job = BackgroundJob.objects.get(user=analyst, kind="situation.kolada_sync")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE and job.organisation == world.orgs["owner"]
    assert Observation.objects.count() == 24
    entry = AuditEntry.objects.get(action="situation.kolada.synced")
    assert entry.actor == analyst and entry.organisation == world.orgs["owner"]
    # The job page shows the outcome; the fragment htmx polls answers the same.
    shown = client.get(reverse("accounts:job", args=[job.pk])).content.decode()
    assert "24 nya" in shown and reverse("situation:home") in shown
    assert 'hx-trigger="every 1s"' not in shown  # finished: no more polling


def test_a_queued_sync_page_polls_for_progress_without_inline_script(client, world):
    analyst = world.user("owner", "analyst")
    login(client, analyst, world.orgs["owner"])
    job = BackgroundJob.objects.create(
        user=analyst, organisation=world.orgs["owner"], kind="situation.kolada_sync", title="Kolada", total=4
    )
    BackgroundJob.objects.filter(pk=job.pk).update(status=BackgroundJob.Status.RUNNING, done=1)
    html = client.get(reverse("accounts:job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in html and "1 / 4" in html
    assert "<script" not in html


def test_sync_form_names_the_bad_field_and_starts_nothing(client, world):
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    response = client.post(
        reverse("situation:kolada_sync"), {"kpis": "15419", "years": "2024-2015", "municipalities": "9999"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"kpis", "years", "municipalities"}
    assert "9999" in errors["municipalities"][0]
    assert not BackgroundJob.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "caseworker", "contract_manager"])
def test_only_analysts_and_admins_may_start_a_sync(client, world, role):
    login(client, world.user("owner", role), world.orgs["owner"])
    assert client.get(reverse("situation:kolada_sync")).status_code == 403
    answer = client.post(reverse("situation:kolada_sync"), {"kpis": "N15419", "years": "2023"})
    assert answer.status_code == 403
    plan = client.get(reverse("situation:home"), {"area": "1270"}).content.decode()
    assert reverse("situation:kolada_sync") not in plan
    assert not BackgroundJob.objects.exists()


def test_the_lagesbild_offers_the_sync_to_an_analyst(client, world):
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    page = client.get(reverse("situation:home"), {"area": "1270"}).content.decode()
    assert reverse("situation:kolada_sync") in page


def test_lagesbild_shows_koladas_group_average_as_kolada_beside_insats_own_mean(
    kolada_stub, no_sleep, client, world
):
    """Kolada's own average for its group is shown as Kolada gives it, "Källa: Kolada"; the mean
    Insats computes from the members is labelled as Insats's own processing."""
    group = AreaGroup.objects.create(
        name="Liknande kommuner grundskola, Tomelilla, 2024", kind="kolada", kolada_id="G35951"
    )
    group.members.set(Area.objects.filter(code__in=["1270", "1256", "1462"]))
    serve_all(kolada_stub)
    sync_kolada(kpis=["N15419"], years=[2023], client=KoladaClient(sleep=no_sleep))
    Indicator.objects.filter(code="N15419").update(polarity="higher_better")
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    html = client.get(reverse("situation:home"), {"area": "1270", "group": group.pk}).content.decode()
    means = re.search(r'<dl class="lb-group-means">(.*?)</dl>', html, re.S).group(1)
    # Only Tomelilla (61.4) has a value among the members we hold: Insats's mean is 61.4;
    # Kolada's own average for G35951 is 70.6 over 7 kommuner (data_N15419_2023_all.json).
    assert re.search(
        r"Gruppens medelvärde</dt><dd>61,4 <span[^>]*>\(Egen bearbetning av data från Kolada", means
    )
    assert re.search(r"Koladas gruppsnitt</dt><dd>70,6 <span[^>]*>\(Källa: Kolada; 7 kommuner\)", means)


def test_the_page_lists_the_latest_syncs_revisions_old_to_new(
    client, kolada_stub, world, django_capture_on_commit_callbacks
):
    analyst = world.user("owner", "analyst")
    login(client, analyst, world.orgs["owner"])
    data = {"kpis": "N15419, N15428", "years": "2022-2023", "municipalities": "1270, 1283"}
    serve(kolada_stub)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("situation:kolada_sync"), data)
    serve(kolada_stub, revised=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("situation:kolada_sync"), data)
    html = client.get(reverse("situation:kolada_sync")).content.decode()
    rows = re.findall(
        r"<tr><td>(N\d+)</td><td>([^<]+)</td><td[^>]*>(\d+)</td><td>([^<]+)</td>"
        r"<td[^>]*>([^<]+)</td><td[^>]*>([^<]+)</td></tr>",
        html,
    )
    # The two revisions of the recorded files (README): Helsingborg 74 → 74,2; Tomelilla withdrawn.
    assert rows == [
        ("N15419", "Helsingborg", "2023", "Totalt", "74", "74,2"),
        ("N15428", "Tomelilla", "2023", "Totalt", "79,5", "borttaget i Kolada"),
    ]

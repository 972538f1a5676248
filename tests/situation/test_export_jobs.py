"""The lägesbild's exports of many indicators as background jobs (issue 13, item 6): a small selection
still renders at once, a large one returns at once with a job page, the job's file has the same
content as the direct export, and only the user who started the job downloads it."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from insats.accounts.models import BackgroundJob
from insats.audit.models import AuditEntry
from insats.situation import export_jobs, exports

from . import test_lagesbild as shared
from .test_lagesbild_exports import page_count

demo_db = shared.demo_db
client_as = shared.client_as

pytestmark = pytest.mark.django_db

QUERY = {"area": "1270", "ind": ["N15505", "DEMO13", "DEMO23"]}


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def run_as_job(client, url_name, monkeypatch, capture, query=QUERY) -> BackgroundJob:
    monkeypatch.setattr(export_jobs, "AT_ONCE_MAX_INDICATORS", 1)
    with capture(execute=True):
        response = client.get(reverse(url_name), query)
    assert response.status_code == 302
    job = BackgroundJob.objects.filter(kind=export_jobs.JOB_KIND).latest("pk")
    assert response["Location"] == reverse("accounts:job", kwargs={"pk": job.pk})
    return job


def cells(data: bytes) -> dict:
    wb = load_workbook(io.BytesIO(data))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_a_small_selection_is_still_exported_at_once(client_as):
    assert len(QUERY["ind"]) <= export_jobs.AT_ONCE_MAX_INDICATORS
    response = client_as("owner", "analyst").get(reverse("situation:export_xlsx"), QUERY)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not BackgroundJob.objects.filter(kind=export_jobs.JOB_KIND).exists()


def test_the_excel_job_gives_the_same_workbook_as_the_direct_export(
    client_as, monkeypatch, django_capture_on_commit_callbacks
):
    c = client_as("owner", "analyst")
    direct = c.get(reverse("situation:export_xlsx"), QUERY)
    assert direct.status_code == 200
    job = run_as_job(c, "situation:export_xlsx", monkeypatch, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE, job.message
    assert job.result["url"] == reverse("situation:export_download", kwargs={"pk": job.pk})
    page = c.get(reverse("accounts:job", kwargs={"pk": job.pk}))
    assert job.result["url"] in page.content.decode()
    download = c.get(job.result["url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="lagesbild-tomelilla')
    body = b"".join(download.streaming_content)
    assert cells(body) == cells(direct.content)
    assert AuditEntry.objects.filter(action="situation.exported", changes__job=job.pk).exists()


def test_the_pdf_job_renders_the_same_document_as_the_direct_export(
    client_as, monkeypatch, django_capture_on_commit_callbacks
):
    seen = []
    real = exports.pdf_from_html

    def recording(html, **kwargs):
        seen.append(html)
        return real(html, **kwargs)

    monkeypatch.setattr(exports, "pdf_from_html", recording)
    c = client_as("owner", "analyst")
    direct = c.get(reverse("situation:export_pdf"), QUERY)
    assert direct.status_code == 200
    job = run_as_job(c, "situation:export_pdf", monkeypatch, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE, job.message
    # the same HTML, so the same document (charts are numbered by a process-wide counter, so two
    # renderings of one page differ in those numbers alone)
    same = [re.sub(r"chart-([td])\d+", r"chart-\1#", html) for html in seen]
    assert len(same) == 2 and same[0] == same[1]
    body = b"".join(c.get(job.result["url"]).streaming_content)
    assert body.startswith(b"%PDF") and page_count(body) == page_count(direct.content)
    assert job.done == job.total == len(QUERY["ind"]) + 1


def test_only_the_requester_downloads_the_file(client_as, monkeypatch, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    job = run_as_job(client_as("owner", "analyst"), "situation:export_xlsx", monkeypatch, capture)
    url = reverse("situation:export_download", kwargs={"pk": job.pk})
    assert client_as("owner", "analyst").get(url).status_code == 200
    for org, role in (("owner", "admin"), ("owner", "viewer"), ("partner", "analyst")):
        assert client_as(org, role).get(url).status_code == 404, (org, role)


def test_an_unfinished_or_foreign_job_has_no_download(client_as, demo_db):
    c = client_as("owner", "analyst")
    running = BackgroundJob.objects.create(
        user=demo_db.user("owner", "analyst"),
        organisation=demo_db.orgs["owner"],
        kind=export_jobs.JOB_KIND,
        title="x",
        status=BackgroundJob.Status.RUNNING,
    )
    other_kind = BackgroundJob.objects.create(
        user=demo_db.user("owner", "analyst"), organisation=demo_db.orgs["owner"], kind="test", title="y"
    )
    for job in (running, other_kind):
        assert c.get(reverse("situation:export_download", kwargs={"pk": job.pk})).status_code == 404

"""Background jobs: a real task (the audit chain check) run through django-tasks, with progress."""

import pytest
from django.db import connection
from django.urls import reverse

from insats.accounts.models import BackgroundJob
from tests.conftest import login


@pytest.mark.django_db
def test_chain_check_runs_as_a_job_and_reports_success(client, world, django_capture_on_commit_callbacks):
    admin = world.user("owner", "admin")
    login(client, admin, world.orgs["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("audit:verify"))
    job = BackgroundJob.objects.get(user=admin, kind="audit.verify")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:job", args=[job.pk])
    assert job.status == BackgroundJob.Status.DONE
    assert job.result["ok"] is True
    assert job.result["checked"] > 10  # the world fixture wrote dozens of entries
    page = client.get(reverse("accounts:job", args=[job.pk]))
    assert page.status_code == 200
    assert 'value="100"' in page.content.decode()


@pytest.mark.django_db
def test_chain_check_job_names_the_tampered_entry(client, world, django_capture_on_commit_callbacks):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = 'forged' WHERE seq = 3")
    admin = world.user("owner", "admin")
    login(client, admin, world.orgs["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("audit:verify"))
    job = BackgroundJob.objects.get(user=admin, kind="audit.verify")
    assert job.result == {"ok": False, "first_broken_seq": 3, "checked": 2}
    assert "3" in job.message


@pytest.mark.django_db
def test_a_job_is_visible_only_to_the_user_who_started_it(client, world, django_capture_on_commit_callbacks):
    admin = world.user("owner", "admin")
    login(client, admin, world.orgs["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("audit:verify"))
    job = BackgroundJob.objects.get(user=admin)
    other = world.user("owner", "analyst")
    login(client, other, world.orgs["owner"])
    assert client.get(reverse("accounts:job", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_progress_partial_is_served_to_htmx_polling(client, world):
    admin = world.user("owner", "admin")
    job = BackgroundJob.objects.create(
        user=admin, kind="x", title="Långt jobb", status="running", done=3, total=12
    )
    login(client, admin, world.orgs["owner"])
    partial = client.get(reverse("accounts:job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial
    assert 'value="25"' in partial and "3 / 12" in partial
    assert 'hx-trigger="every 1s"' in partial

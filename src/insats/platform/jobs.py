"""Background jobs: start a task for a user and let them follow its progress.

A :class:`~insats.accounts.models.BackgroundJob` row is the user-visible record; the work itself
runs through Django's tasks API (the ``django-tasks`` backport). With the immediate backend
(default, and in tests) the task runs at once after the transaction commits; with
``INSATS_TASKS=db`` a ``manage.py db_worker`` process runs it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.apps import apps
from django.db import transaction
from django.utils import timezone

if TYPE_CHECKING:
    from insats.accounts.models import BackgroundJob

log = logging.getLogger(__name__)


def _job_model():
    """The model, looked up when used: the platform module imports no domain app at import time."""
    return apps.get_model("accounts", "BackgroundJob")


def job_start(*, user, organisation, kind: str, title: str, task, **task_kwargs) -> BackgroundJob:
    """Create the job row and enqueue ``task(job_id=..., **task_kwargs)`` once the transaction commits."""
    job = _job_model().objects.create(user=user, organisation=organisation, kind=kind, title=title)

    def enqueue():
        result = task.enqueue(job_id=job.pk, **task_kwargs)
        _job_model().objects.filter(pk=job.pk).update(task_result_id=str(result.id)[:64])

    transaction.on_commit(enqueue)
    return job


def job_progress(job_id: int, done: int, total: int, message: str = "") -> None:
    fields = {"done": done, "total": total, "status": _job_model().Status.RUNNING}
    if message:
        fields["message"] = message
    _job_model().objects.filter(pk=job_id).update(**fields)


@contextmanager
def running_job(job_id: int) -> Iterator[Callable[[int, int], None]]:
    """Mark the job running; yield a progress callback; mark it done or failed at the end."""
    _job_model().objects.filter(pk=job_id).update(status=_job_model().Status.RUNNING)
    try:
        yield lambda done, total: job_progress(job_id, done, total)
    except Exception as exc:
        log.exception("background job %s failed", job_id)
        _job_model().objects.filter(pk=job_id).update(
            status=_job_model().Status.FAILED, message=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    else:
        _job_model().objects.filter(pk=job_id).exclude(status=_job_model().Status.FAILED).update(
            status=_job_model().Status.DONE, finished_at=timezone.now()
        )


def job_result(job_id: int, *, message: str = "", **result) -> None:
    fields = {"result": result}
    if message:
        fields["message"] = message
    _job_model().objects.filter(pk=job_id).update(**fields)

from django.utils.translation import gettext as _
from django_tasks import task

from insats.platform.jobs import job_result, running_job

from .services import verify_chain


@task()
def verify_audit_chain(job_id: int) -> bool:
    with running_job(job_id) as progress:
        result = verify_chain(on_progress=progress, batch=500)
        if result.ok:
            job_result(
                job_id,
                message=_("Kedjan är hel: %(n)s poster kontrollerade.") % {"n": result.checked},
                ok=True,
                checked=result.checked,
            )
        else:
            job_result(
                job_id,
                message=_("Kedjan är bruten vid post %(seq)s: %(reason)s")
                % {"seq": result.first_broken_seq, "reason": result.reason},
                ok=False,
                first_broken_seq=result.first_broken_seq,
                checked=result.checked,
            )
    return result.ok

"""The business case's Monte Carlo as a background task (django-tasks), with progress per chunk."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from insats.platform.jobs import job_progress, job_result, running_job

from .business_case import BusinessCaseError, scenario_run
from .models import BusinessCaseScenario


class BusinessCaseFailed(Exception):
    """The run failed; the message is what the user reads on the job page."""


@task()
def run_business_case(job_id: int, scenario_id: int) -> bool:
    """Simulate the scenario's stored core input; progress after every chunk of draws; the job's
    result links to the scenario page. A failure marks the job failed with a readable message."""
    with running_job(job_id):

        def progress(done: int, total: int) -> None:
            job_progress(
                job_id,
                done,
                total,
                _("Simulerar: %(done)s av %(total)s dragningar") % {"done": done, "total": total},
            )

        try:
            scenario = scenario_run(scenario_id, on_progress=progress)
        except BusinessCaseError as exc:
            raise BusinessCaseFailed(
                _("Affärscaset kunde inte beräknas: %(error)s") % {"error": exc}
            ) from exc
        except BusinessCaseScenario.DoesNotExist as exc:
            raise BusinessCaseFailed(_("Scenariot finns inte längre.")) from exc
        except (MemoryError, ArithmeticError, ValueError) as exc:
            raise BusinessCaseFailed(
                _("Affärscaset kunde inte beräknas (%(kind)s: %(error)s). Kontrollera indata.")
                % {"kind": type(exc).__name__, "error": exc}
            ) from exc
        mc = scenario.result["monte_carlo"]
        job_result(
            job_id,
            message=_("Klart: %(draws)s dragningar. Sannolikheten att beställaren sparar pengar: %(p)s %%.")
            % {"draws": mc["draws"], "p": round(100 * mc["probability_commissioner_saves"])},
            url=reverse("contracts:scenario", kwargs={"pk": scenario.contract_id, "scenario": scenario.pk}),
            scenario=scenario.pk,
        )
    return True

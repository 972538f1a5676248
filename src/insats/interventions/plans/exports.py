"""The social plan as a PDF for the board: the plan, its entities, the map of its interventions
(the catalogue's intensity × age band matrix) and the success factors with their targets."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from . import selectors
from . import services as svc
from .models import SocialPlan


def plan_pdf_html(plan: SocialPlan) -> str:
    bands, rows = selectors.plan_map(plan)
    factors = plan.success_factors.select_related("entity", "result", "indicator")
    return render_to_string(
        "interventions/plan_pdf.html",
        {
            "plan": plan,
            "entities": plan.entities.select_related("organisation").prefetch_related(
                "interventions__intervention"
            ),
            "bands": bands,
            "map_rows": rows,
            "factors": [{"factor": f, "targets": selectors.factor_targets(f)} for f in factors],
            "evaluation": plan.evaluation_items.select_related("success_factor"),
            "current": svc.current_version(plan),
            "adopted": svc.adopted_version(plan),
            "generated": timezone.localtime(),
        },
    )


def plan_pdf(plan: SocialPlan) -> bytes:
    from insats.platform.pdf import html_to_pdf

    return html_to_pdf(plan_pdf_html(plan))

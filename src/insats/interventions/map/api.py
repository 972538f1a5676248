"""API: map (mounted under /api/v1/interventions by insats.api)."""

from ninja import Router

router = Router(tags=["Insatser"])

"""Helpers every layer uses: request context, background jobs, charts, number and money
formatting, PDF output. Domain apps import it; it imports no domain app at import time and
nothing from ``insats.web``."""

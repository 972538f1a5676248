"""Insatser: step 2 of the lifecycle (DESIGN.md) — what exists for children and young people.

Split by sub-domain, each a package with its own models, services, selectors, views, forms, api:

``catalogue/``  the intervention catalogue (insatser), versions, sharing, the public listing
``map/``        seed 003's age band × intensity matrix with coverage and gaps against needs
``reviews/``    genomlysning of a funded portfolio (seed 001's phases A–E)
``plans/``      the social plan (seed 003)

Every figure (coverage, gaps, budget shares, reach against financing shares, cost per
participant) is computed in :mod:`insats.core`.
"""

"""Samverkan och upphandling: choosing the form of collaboration and running it.

One package per sub-domain, each with its own models, services, selectors, views, forms, api and
demo: ``advisor`` (the form advisor and its decisions), ``rfi`` (market dialogue), ``secrecy``
(secrecy assessments and redacted copies, shared with tenders), ``grants`` (föreningsbidrag),
``iop`` (idéburet-offentligt partnerskap), ``invitations`` (inviting outside organisations by
e-mail), ``documents`` (uploaded attachments, shared by every sub-domain).
"""

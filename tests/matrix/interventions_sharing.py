"""Matrix entries for sharing interventions, the catalogue settings and the public listing (issue 9,
item 2). Written from the brief and DESIGN.md's "Tenancy and trust":

* an organisation's catalogue is its own: only its administrators and analysts share an
  intervention (and revoke a share); nobody else may — not a partner, not an unrelated
  organisation (404: they do not even see it), not the förbund (the federation column: users of
  the world's samordningsförbund, which is not a member of anything);
* a förbund's own intervention is shared by the förbund's administrators and analysts; its member
  (Tomelilla, the "own" column here) sees it but may not share it (403);
* the list of shares and the settings pages act on the user's own organisation: every role sees its
  own shares, administrators change the settings, in every column; an organisation's own age band
  or method is changed only by that organisation's administrators;
* the public listing is open to anyone, logged in or not, when the owner has switched it on
  (404 when off is checked in tests/interventions/test_public_listing.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from insats.accounts.access import Actor
from insats.accounts.models import Role
from insats.interventions.catalogue.models import AgeBand, Intensity, Intervention, Method
from insats.interventions.sharing import services
from tests.matrix import ADMIN, ALL, NONE, Entry

PLANNERS = frozenset({Role.ADMIN.value, Role.ANALYST.value})
EVERYWHERE = {"own": ALL, "partner": ALL, "unrelated": ALL}
ADMINS_EVERYWHERE = {"own": ADMIN, "partner": ADMIN, "unrelated": ADMIN}


@dataclass(frozen=True)
class FederationEntry(Entry):
    # Users acting for the world's samordningsförbund (Tomelilla is its member).
    federation: frozenset[str] = NONE


def _admin(w, org="owner"):
    return Actor(user=w.user(org, "admin"), membership=w.membership(org, "admin"))


def _intervention(w, org="owner", name="Delningens matrisinsats") -> Intervention:
    found = Intervention.objects.filter(organisation=w.orgs[org], name=name).first()
    return found or Intervention.objects.create(
        organisation=w.orgs[org], name=name, intensity=Intensity.EARLY, contact_name="Person Personsson"
    )


def _share(w):
    intervention = _intervention(w)
    share = services.intervention_shares(intervention).filter(organisation=w.orgs["partner"]).first()
    return share or services.intervention_share(
        actor=_admin(w), intervention=intervention, organisation=w.orgs["partner"], purpose="samverkan"
    )


def _listing_on(w):
    _intervention(w)
    services.public_listing_set(actor=_admin(w), organisation=w.orgs["owner"], on=True)
    return {"org_pk": w.orgs["owner"].pk}


def _band(w, label="Matris 30–40 år", age_from=30, age_to=40) -> AgeBand:
    found = AgeBand.objects.filter(organisation=w.orgs["owner"], label=label).first()
    return found or services.age_band_save(
        actor=_admin(w), organisation=w.orgs["owner"], label=label, age_from=age_from, age_to=age_to
    )


def _method(w, name="Matrismetod") -> Method:
    found = Method.objects.filter(organisation=w.orgs["owner"], name=name).first()
    return found or services.method_save(actor=_admin(w), organisation=w.orgs["owner"], name=name)


def _unshare_kwargs(w):
    share = _share(w)
    return {"pk": int(share.object_id), "share_pk": share.pk}


ENTRIES: dict[str, Entry] = {
    # --- sharing ---------------------------------------------------------------------------------
    "interventions:intervention_share": FederationEntry(
        kwargs=lambda w: {"pk": _intervention(w).pk}, own=PLANNERS
    ),
    "interventions:intervention_share#post": FederationEntry(
        kwargs=lambda w: {"pk": _intervention(w).pk},
        method="POST",
        data=lambda w: {"organisation": w.orgs["unrelated"].pk, "purpose": "samverkan"},
        own=PLANNERS,
    ),
    "interventions:intervention_share#federation": FederationEntry(
        kwargs=lambda w: {"pk": _intervention(w, "federation", "Förbundets matrisinsats").pk},
        federation=PLANNERS,
        note="the member sees the förbund's intervention but may not share it",
    ),
    "interventions:intervention_unshare": FederationEntry(kwargs=_unshare_kwargs, own=PLANNERS),
    "interventions:intervention_unshare#post": FederationEntry(
        kwargs=_unshare_kwargs, method="POST", own=PLANNERS
    ),
    "interventions:shares": FederationEntry(federation=ALL, **EVERYWHERE),
    # --- catalogue settings ----------------------------------------------------------------------
    "interventions:catalogue_settings": Entry(**ADMINS_EVERYWHERE),
    "interventions:catalogue_settings#post": Entry(
        method="POST", data=lambda w: {"public_listing": "on"}, **ADMINS_EVERYWHERE
    ),
    "interventions:age_band_add": Entry(**ADMINS_EVERYWHERE),
    "interventions:age_band_add#post": Entry(
        method="POST", data=lambda w: {"label": "Ny 50–60", "age_from": 50, "age_to": 60}, **ADMINS_EVERYWHERE
    ),
    "interventions:age_band_edit": Entry(kwargs=lambda w: {"pk": _band(w).pk}, own=ADMIN),
    "interventions:age_band_edit#post": Entry(
        kwargs=lambda w: {"pk": _band(w).pk},
        method="POST",
        data=lambda w: {"label": "Matris 30–41 år", "age_from": 30, "age_to": 41},
        own=ADMIN,
    ),
    "interventions:age_band_delete": Entry(kwargs=lambda w: {"pk": _band(w).pk}, own=ADMIN),
    "interventions:age_band_delete#post": Entry(
        kwargs=lambda w: {"pk": _band(w, "Matris 70–80 år", 70, 80).pk}, method="POST", own=ADMIN
    ),
    "interventions:method_add": Entry(**ADMINS_EVERYWHERE),
    "interventions:method_add#post": Entry(
        method="POST",
        data=lambda w: {"name": "Ny matrismetod", "evidence_level": "ej_bedomd"},
        **ADMINS_EVERYWHERE,
    ),
    "interventions:method_edit": Entry(kwargs=lambda w: {"pk": _method(w).pk}, own=ADMIN),
    "interventions:method_edit#post": Entry(
        kwargs=lambda w: {"pk": _method(w).pk},
        method="POST",
        data=lambda w: {"name": "Matrismetod 2", "evidence_level": "lovande"},
        own=ADMIN,
    ),
    "interventions:method_delete": Entry(kwargs=lambda w: {"pk": _method(w).pk}, own=ADMIN),
    "interventions:method_delete#post": Entry(
        kwargs=lambda w: {"pk": _method(w, "Oanvänd matrismetod").pk}, method="POST", own=ADMIN
    ),
    # --- the public listing (switched on for the owner) --------------------------------------------
    "interventions:public_listing": Entry(kwargs=_listing_on, anonymous=True, **EVERYWHERE),
    "api:GET /api/v1/interventions/public/{org_id}": Entry(
        kwargs=lambda w: {"org_id": _listing_on(w)["org_pk"]}, anonymous=True, **EVERYWHERE
    ),
}

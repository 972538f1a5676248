"""Who may see and do what. The one place that decides; every view, endpoint and export asks here.

An **actor** is a user acting through one membership (organisation + role), from the session or an
API token. An **ability** (``"partnership.manage"``) is granted by a :class:`Rule`: the roles that
hold it and the *relations* to the object's owner through which it applies:

``own``        the actor's organisation owns the object
``shared``     the object was shared explicitly with the actor's organisation (:class:`Share`)
``federation`` the owner is a samordningsförbund and the actor's organisation is one of its members
``partner``    the actor's organisation has an active partnership with the owner
``any``        any organisation (public directory facts, e.g. an organisation's name)
``self``       the object belongs to the user personally (their own tokens, their own jobs)
``recipient``  the object was sent *to* the actor's organisation by its owner: an RFI response, a grant
               application or a bid is owned by who wrote it and received by the organisation that
               asked for it (``access_recipient_lookup``, e.g. ``"rfi__organisation"``)
``published``  the object is published to every logged-in organisation (an open RFI or grant round):
               the model says so with ``access_is_published()`` and, for :func:`scope`,
               ``access_published_q`` (a ``Q``)
``inviter``    the object is an organisation that registered itself on the actor's organisation's
               invitation (``Organisation.invited_by``): the inviter may verify it
``party``      the actor's organisation is a party of the object (an outcomes contract and what
               belongs to it); a rule may narrow it to some party roles (``party_roles``: e.g.
               only the validator's evaluators approve results)

Models say who owns them with ``access_owner_field`` (default ``"organisation"``) or
``access_owner_ids()`` for objects with several owners (a partnership has two). Models with parties
say who they are with ``access_party_roles(organisation_id) -> set[str]`` (the party roles that
organisation holds; empty = not a party) and, for :func:`scope`, ``access_party_lookup`` (the
query path to the party's organisation, e.g. ``"parties__organisation"``; the party's role is the
sibling field ``role``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import wraps

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q

from .models import FederationMember, Membership, Organisation, Partnership, Role, Share

ALL_ROLES = frozenset(r.value for r in Role)
MANAGERS = frozenset({Role.ADMIN})


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    relations: frozenset[str]
    description: str = ""
    # For the "party" relation: the party roles through which it applies (None = any party role).
    party_roles: frozenset[str] | None = None
    # Operators (User.is_operator, no organisation needed) hold the ability too: the audit log only.
    operators: bool = False


def rule(
    roles: Iterable[str],
    relations: Iterable[str],
    description: str = "",
    party_roles: Iterable[str] | None = None,
    operators: bool = False,
) -> Rule:
    return Rule(
        frozenset(roles),
        frozenset(relations),
        description,
        frozenset(party_roles) if party_roles is not None else None,
        operators,
    )


# Outcomes contracts: every member of a party organisation sees the contract; what else they may do
# depends on their role in their organisation and on their organisation's role in the contract.
CONTRACT_MANAGERS = frozenset({"admin", "contract_manager"})
COMMISSIONING = frozenset({"commissioner"})
PAYING = frozenset({"commissioner", "payer"})
CONTRACT_RULES: dict[str, Rule] = {
    "contract.view": rule(
        ALL_ROLES, {"own", "party"}, "the contract and its terms: every member of every party"
    ),
    "contract.create": rule(
        CONTRACT_MANAGERS, {"own"}, "draft a new contract; the drafting organisation is its commissioner"
    ),
    "contract.edit": rule(
        CONTRACT_MANAGERS,
        {"party"},
        "edit terms, parties, cohorts, metrics and prices while drafting or negotiating",
        party_roles=COMMISSIONING,
    ),
    "contract.financing.edit": rule(
        CONTRACT_MANAGERS,
        {"party"},
        "edit the financing terms while drafting or negotiating",
        party_roles={"commissioner", "fund"},
    ),
    "contract.sign": rule(CONTRACT_MANAGERS, {"party"}, "sign for one's own party"),
    "contract.change.propose": rule(CONTRACT_MANAGERS, {"party"}, "propose a change of a signed contract"),
    "contract.change.decide": rule(
        CONTRACT_MANAGERS, {"party"}, "approve or reject a proposed change for one's own party"
    ),
    "contract.action.edit": rule(
        CONTRACT_MANAGERS,
        {"party"},
        "the action plan: add actions while drafting, update their status during the contract",
        party_roles={"commissioner", "provider"},
    ),
    "contract.business_case.view": rule(ALL_ROLES, {"party"}, "business-case scenarios and results"),
    "contract.business_case.run": rule(
        CONTRACT_MANAGERS | {"analyst"},
        {"party"},
        "create scenarios and run the Monte Carlo simulation",
        party_roles={"commissioner", "fund", "provider", "intermediary"},
    ),
    "contract.result.view": rule(ALL_ROLES, {"party"}, "reported results and their validation"),
    "contract.result.report": rule(
        CONTRACT_MANAGERS | {"analyst", "evaluator"},
        {"party"},
        "report results (form, import, API): the provider or the validator",
        party_roles={"provider", "validator"},
    ),
    "contract.result.validate": rule(
        {"evaluator"},
        {"party"},
        "approve or return reported results: only the validator's evaluators",
        party_roles={"validator"},
    ),
    "contract.payment.view": rule(
        ALL_ROLES,
        {"party"},
        "payments per payer, planned and actual, invoice basis",
        party_roles={"commissioner", "payer", "provider", "fund", "intermediary"},
    ),
    "contract.payment.manage": rule(
        CONTRACT_MANAGERS,
        {"party"},
        "record that a payment was invoiced or paid",
        party_roles={"commissioner", "payer", "provider"},
    ),
    "contract.ledger.view": rule(
        ALL_ROLES,
        {"party"},
        "the fund's ledger: only the fund's and the commissioner's members",
        party_roles={"commissioner", "fund"},
    ),
    "contract.export": rule(
        CONTRACT_MANAGERS | {"analyst"}, {"party"}, "INDIGO export (confidential fields marked PRIVATE)"
    ),
}


# Insatser (interventions): an organisation's catalogue is its own; it shares interventions with
# partners explicitly, and a samordningsförbund's members see the förbund's portfolio (federation).
# Reviews (genomlysning) may be shared with an external reviewer, who then works in them.
PLANNERS = frozenset({Role.ADMIN, Role.ANALYST})
INTERVENTION_RULES: dict[str, Rule] = {
    "intervention.view": rule(
        ALL_ROLES, {"own", "shared", "federation"}, "the catalogue, its versions and the map"
    ),
    "intervention.edit": rule(PLANNERS, {"own"}, "add and change interventions, staffing, funding, reach"),
    "intervention.share": rule(PLANNERS, {"own"}, "share an intervention with a named organisation"),
    "intervention.export": rule(
        ALL_ROLES, {"own", "shared", "federation"}, "the map and the catalogue as Excel and PDF"
    ),
    "catalogue.settings": rule(MANAGERS, {"own"}, "the public listing, own age bands and methods"),
    "review.view": rule(
        ALL_ROLES, {"own", "shared", "federation"}, "reviews (genomlysning) and their reports"
    ),
    "review.create": rule(PLANNERS, {"own"}, "start a review of a portfolio"),
    "review.edit": rule(
        PLANNERS,
        {"own", "shared"},
        "work in a review: phases, findings, recommendations (shared: the reviewer)",
    ),
    "review.decide": rule(MANAGERS, {"own"}, "record a governance body's decision on a review"),
    "review.share": rule(PLANNERS, {"own"}, "invite an external reviewer to a review (a Share)"),
    "socialplan.view": rule(ALL_ROLES, {"own", "shared"}, "the social plan and its versions"),
    "socialplan.edit": rule(PLANNERS, {"own"}, "write the social plan"),
    "socialplan.adopt": rule(MANAGERS, {"own"}, "record the adoption of a social plan by a body"),
}


# Samverkan och upphandling (sourcing): the buyer owns its form decisions, RFIs, grant rounds and
# tenders; it shares them with invited organisations (a Share) or publishes them (``published``).
# What an outside organisation sends (an RFI response, a grant application) is its own, and the
# buyer reads it as its ``recipient``; no respondent ever sees another respondent's answers.
# An IOP agreement's parties are equals: every party's members see it (``party``).
PROCURERS = frozenset({Role.ADMIN, Role.PROCUREMENT})
SOURCING_OFFICERS = frozenset({Role.ADMIN, Role.PROCUREMENT, Role.ANALYST})
RESPONDERS = frozenset({Role.ADMIN, Role.PROCUREMENT, Role.ANALYST, Role.CONTRACT_MANAGER})
SOURCING_RULES: dict[str, Rule] = {
    "sourcing.view": rule(
        ALL_ROLES, {"own"}, "the Samverkan start page: one's own processes and what was sent to one"
    ),
    # The form advisor (issue 10 item 2)
    "formdecision.view": rule(ALL_ROLES, {"own"}, "form assessments and decisions for a need"),
    "formdecision.edit": rule(SOURCING_OFFICERS, {"own"}, "walk the form advisor and record the decision"),
    # The procurement thresholds are national data (every organisation's advisor and tenders use
    # them): only the platform's operators add a dated amount; officers read them (formdecision.edit).
    "threshold.manage": rule(
        frozenset(), {"any"}, "add a dated procurement threshold (national data)", operators=True
    ),
    # Market dialogue (RFI, item 3)
    "rfi.view": rule(
        ALL_ROLES,
        {"own", "shared", "published"},
        "an RFI: the buyer, invited and (if open) every organisation",
    ),
    "rfi.edit": rule(PROCURERS | {Role.ANALYST}, {"own"}, "write, publish, invite to and close an RFI"),
    "rfi.analyse": rule(
        PROCURERS | {Role.ANALYST}, {"own"}, "the answers side by side, filters, Excel and PDF of the answers"
    ),
    "rfi.respond": rule(RESPONDERS, {"shared", "published"}, "answer an RFI one's organisation was sent"),
    "rfi.response.view": rule(
        RESPONDERS, {"own", "recipient"}, "a response: its writer, and the buyer that asked for it"
    ),
    "rfi.response.edit": rule(RESPONDERS, {"own"}, "draft, change, submit or withdraw one's own response"),
    # Secrecy assessments and redacted copies (OSL), shared by RFIs and tenders (item 3; issue 11)
    "secrecy.view": rule(SOURCING_OFFICERS, {"own"}, "secrecy assessments and hand-outs of documents"),
    "secrecy.assess": rule(
        PROCURERS, {"own"}, "record a secrecy assessment (the registrar) and hand out the redacted copy"
    ),
    # Grant rounds (föreningsbidrag, item 4)
    "grant.view": rule(ALL_ROLES, {"own", "shared", "published"}, "a grant round: its call and criteria"),
    "grant.manage": rule(SOURCING_OFFICERS, {"own"}, "set up a grant round, its criteria and dates"),
    "grant.assess": rule(
        SOURCING_OFFICERS | {Role.EVALUATOR}, {"own"}, "assess applications per criterion with a motivation"
    ),
    "grant.decide": rule(MANAGERS, {"own"}, "record the nämnd's decision per application, send letters"),
    "grant.apply": rule(RESPONDERS, {"shared", "published"}, "apply in a round one's organisation can see"),
    "grant.application.view": rule(
        RESPONDERS | {Role.EVALUATOR}, {"own", "recipient"}, "an application: the applicant and the grantor"
    ),
    "grant.application.edit": rule(
        RESPONDERS, {"own"}, "write and submit one's own application and its återrapportering"
    ),
    # IOP partnerships (item 5)
    "iop.view": rule(ALL_ROLES, {"own", "party"}, "an IOP agreement: every member of every party"),
    "iop.create": rule(SOURCING_OFFICERS, {"own"}, "start an IOP from a passed checklist"),
    "iop.edit": rule(
        SOURCING_OFFICERS | {Role.CONTRACT_MANAGER},
        {"party"},
        "contributions, plan, check-ins while drafting",
    ),
    "iop.sign": rule(MANAGERS, {"party"}, "sign the agreement for one's own party"),
    "iop.change.propose": rule(
        SOURCING_OFFICERS | {Role.CONTRACT_MANAGER}, {"party"}, "propose a change of a signed agreement"
    ),
    "iop.change.decide": rule(MANAGERS, {"party"}, "approve or reject a change for one's own party"),
    # Outside organisations (item 1)
    "organisation.verify": rule(
        MANAGERS,
        {"inviter"},
        "verify a self-registered organisation one's own organisation invited (operators: any)",
        operators=True,
    ),
    "sourcing.invite": rule(
        SOURCING_OFFICERS, {"own"}, "invite organisations by e-mail to an RFI, a grant round or an IOP"
    ),
}


RULES: dict[str, Rule] = {
    "organisation.view": rule(ALL_ROLES, {"any"}, "the directory of organisations"),
    "organisation.edit": rule(MANAGERS, {"own"}),
    "membership.view": rule(MANAGERS, {"own"}),
    "membership.manage": rule(MANAGERS, {"own"}),
    "federation.view": rule(ALL_ROLES, {"own", "federation"}),
    "federation.manage": rule(MANAGERS, {"own"}),
    "partnership.view": rule(ALL_ROLES, {"own"}),
    "partnership.manage": rule(MANAGERS, {"own"}),
    "governance.view": rule(ALL_ROLES, {"own", "federation", "shared"}),
    "governance.manage": rule(MANAGERS, {"own"}),
    "share.manage": rule(
        MANAGERS | {Role.ANALYST, Role.CONTRACT_MANAGER, Role.PROCUREMENT},
        {"own"},
        "share an object the organisation owns with a named organisation for a purpose",
    ),
    "audit.view": rule(
        MANAGERS,
        {"own"},
        "the audit log: an organisation's admins their organisation's entries, operators all of it",
        operators=True,
    ),
    "token.manage": rule(ALL_ROLES, {"self"}),
    "job.view": rule(ALL_ROLES, {"self"}),
    "api.use": rule(ALL_ROLES, {"own"}),
    "situation.view": rule(
        ALL_ROLES, {"any"}, "public statistics: areas, indicators, observations, lägesbild"
    ),
    "situation.export": rule(ALL_ROLES, {"any"}, "lägesbild as PDF and Excel (public statistics)"),
    # situation: own data import, target groups, cause analyses, results and action plans
    "situation.import": rule({Role.ADMIN, Role.ANALYST}, {"own"}, "import observations, own indicators"),
    "situation.kolada_sync": rule(
        {Role.ADMIN, Role.ANALYST}, {"own"}, "start a Kolada sync (a background job) and follow it"
    ),
    "plan.view": rule(ALL_ROLES, {"own"}, "target groups, results, targets, action plans"),
    "plan.edit": rule({Role.ADMIN, Role.ANALYST}, {"own"}),
    "cause.view": rule(ALL_ROLES, {"own", "shared"}, "cause analyses (shared: orsaksanalys)"),
    "cause.edit": rule({Role.ADMIN, Role.ANALYST}, {"own", "shared"}),
    "cause.share": rule({Role.ADMIN, Role.ANALYST}, {"own"}, "invite partners to a cause analysis"),
    "factor.manage": rule(MANAGERS, {"own"}, "extend the list of risk and protective factors"),
    **INTERVENTION_RULES,
    **CONTRACT_RULES,
    **SOURCING_RULES,
}


@dataclass(frozen=True)
class Actor:
    user: object | None
    membership: Membership | None = None
    via_token: bool = False
    _cache: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def is_authenticated(self) -> bool:
        return bool(self.user is not None and getattr(self.user, "is_authenticated", False))

    @property
    def organisation(self) -> Organisation | None:
        return self.membership.organisation if self.membership else None

    @property
    def organisation_id(self) -> int | None:
        return self.membership.organisation_id if self.membership else None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    @property
    def is_operator(self) -> bool:
        return bool(self.is_authenticated and getattr(self.user, "is_operator", False))

    # Relations of the actor's organisation, computed once per actor (per request).
    def partner_ids(self) -> set[int]:
        if "partners" not in self._cache:
            org = self.organisation_id
            pairs = Partnership.objects.filter(
                Q(organisation_id=org) | Q(partner_id=org), ended_on__isnull=True
            )
            ids = set()
            for a, b in pairs.values_list("organisation_id", "partner_id"):
                ids.add(b if a == org else a)
            self._cache["partners"] = ids
        return self._cache["partners"]

    def federation_ids(self) -> set[int]:
        """Samordningsförbund of which the actor's organisation is a member."""
        if "federations" not in self._cache:
            self._cache["federations"] = set(
                FederationMember.objects.filter(member_id=self.organisation_id).values_list(
                    "federation_id", flat=True
                )
            )
        return self._cache["federations"]


ANONYMOUS = Actor(user=None)


def party_roles(actor: Actor, obj) -> set[str]:
    """The party roles the actor's organisation holds in ``obj`` (empty if none or not a party model)."""
    if actor.membership is None or obj is None or not hasattr(obj, "access_party_roles"):
        return set()
    key = ("party", obj._meta.label, obj.pk)
    if key not in actor._cache:
        actor._cache[key] = set(obj.access_party_roles(actor.organisation_id))
    return actor._cache[key]


def actor_for(request) -> Actor:
    """The actor of a request: set by ActiveMembershipMiddleware or API token authentication."""
    actor = getattr(request, "actor", None)
    if actor is not None:
        return actor
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    return Actor(user=user, membership=getattr(request, "membership", None))


def owner_ids(obj) -> set[int]:
    if isinstance(obj, Organisation):
        return {obj.pk}
    if hasattr(obj, "access_owner_ids"):
        return set(obj.access_owner_ids())
    field_name = getattr(obj, "access_owner_field", "organisation")
    return {getattr(obj, f"{field_name}_id")}


def relations(actor: Actor, obj) -> set[str]:
    """How the actor's organisation stands to ``obj``'s owners."""
    found = {"any"}
    if obj is None:
        return found
    if getattr(obj, "access_user_id", None) is not None or hasattr(obj, "access_user"):
        owner_user_id = getattr(obj, "access_user_id", None)
        if owner_user_id is None:
            owner_user_id = obj.access_user().pk
        if actor.is_authenticated and owner_user_id == actor.user.pk:
            found.add("self")
        return found
    if actor.membership is None:
        return found
    owners = owner_ids(obj)
    org = actor.organisation_id
    if org in owners:
        found.add("own")
    if owners & actor.federation_ids():
        found.add("federation")
    if owners & actor.partner_ids():
        found.add("partner")
    if party_roles(actor, obj):
        found.add("party")
    if isinstance(obj, models.Model) and not isinstance(obj, Organisation) and is_shared(actor, obj):
        found.add("shared")
    if recipient_id(obj) == org:
        found.add("recipient")
    if hasattr(obj, "access_is_published") and obj.access_is_published():
        found.add("published")
    if isinstance(obj, Organisation) and obj.invited_by_id == org:
        found.add("inviter")
    return found


def recipient_id(obj) -> int | None:
    """The organisation ``obj`` was sent to (its ``access_recipient_lookup`` followed), or None."""
    lookup = getattr(obj, "access_recipient_lookup", None)
    if not lookup:
        return None
    *path, last = lookup.split("__")
    target = obj
    for name in path:
        target = getattr(target, name, None)
        if target is None:
            return None
    return getattr(target, f"{last}_id", None)


def is_shared(actor: Actor, obj: models.Model) -> bool:
    """Whether ``obj`` is shared (not revoked) with the actor's organisation; asked once per request."""
    key = ("shared", obj._meta.label, obj.pk)
    if key not in actor._cache:
        ct = ContentType.objects.get_for_model(obj)
        actor._cache[key] = Share.objects.filter(
            content_type=ct,
            object_id=str(obj.pk),
            organisation_id=actor.organisation_id,
            revoked_at__isnull=True,
        ).exists()
    return actor._cache[key]


def can(actor: Actor, ability: str, obj=None) -> bool:
    """True if the actor may use ``ability`` on ``obj`` (or in general when obj is None)."""
    try:
        r = RULES[ability]
    except KeyError:
        raise KeyError(f"unknown ability {ability!r}: add it to access.RULES") from None
    if not actor.is_authenticated:
        return False
    if r.operators and actor.is_operator and obj is None:
        return True
    if r.relations == {"self"}:
        return obj is None or "self" in relations(actor, obj)
    if actor.role not in r.roles:
        return False
    if obj is None:
        return True
    found = relations(actor, obj)
    if r.party_roles is not None and "party" in found and not (party_roles(actor, obj) & r.party_roles):
        found.discard("party")
    return bool(r.relations & found)


def other_roles_allowing(actor: Actor, ability: str, obj=None) -> list[Membership]:
    """The actor's other memberships *in the same organisation* whose role would allow ``ability`` on
    ``obj`` — so a page can say "Byt till rollen Utvärderare för att godkänna" where the button would
    be. Empty when the actor already may, or has no such role."""
    if not actor.is_authenticated or actor.membership is None or actor.via_token:
        return []
    if can(actor, ability, obj):
        return []
    others = Membership.objects.filter(user=actor.user, organisation_id=actor.organisation_id).exclude(
        pk=actor.membership.pk
    )
    return [
        m
        for m in others.select_related("organisation")
        if can(Actor(user=actor.user, membership=m), ability, obj)
    ]


def check(actor: Actor, ability: str, obj=None) -> None:
    if not can(actor, ability, obj):
        raise PermissionDenied(ability)


def scope(actor: Actor, queryset: models.QuerySet, ability: str) -> models.QuerySet:
    """Filter ``queryset`` to what the actor may use ``ability`` on. Never widens it."""
    r = RULES[ability]
    model = queryset.model
    if not actor.is_authenticated:
        return queryset.none()
    if r.relations == {"self"}:
        user_field = getattr(model, "access_user_field", "user")
        return queryset.filter(**{user_field: actor.user})
    if actor.role not in r.roles:
        return queryset.none()
    if "any" in r.relations:
        return queryset
    org = actor.organisation_id
    owner_lookups = getattr(model, "access_owner_lookups", None) or [
        getattr(model, "access_owner_field", "organisation") if model is not Organisation else "pk"
    ]
    allowed: set[int] = set()
    if "own" in r.relations:
        allowed.add(org)
    if "federation" in r.relations:
        allowed |= actor.federation_ids()
    if "partner" in r.relations:
        allowed |= actor.partner_ids()
    cond = Q()
    for lookup in owner_lookups:
        cond |= Q(**{f"{lookup}__in": allowed})
    if "shared" in r.relations:
        ct = ContentType.objects.get_for_model(model)
        shared_ids = Share.objects.filter(
            content_type=ct, organisation_id=org, revoked_at__isnull=True
        ).values_list("object_id", flat=True)
        cond |= Q(pk__in=[int(i) if i.isdigit() else i for i in shared_ids])
    recipient_lookup = getattr(model, "access_recipient_lookup", None)
    if "recipient" in r.relations and recipient_lookup and org is not None:
        cond |= Q(**{recipient_lookup: org})
    published_q = getattr(model, "access_published_q", None)
    if "published" in r.relations and published_q is not None:
        cond |= published_q() if callable(published_q) else published_q
    if "inviter" in r.relations and model is Organisation and org is not None:
        cond |= Q(invited_by_id=org)
    party_lookup = getattr(model, "access_party_lookup", None)
    if "party" in r.relations and party_lookup and org is not None:
        # One semi-join on the party table (indexed by contract and organisation), no duplicates.
        party_cond = Q(**{party_lookup: org})
        if r.party_roles is not None:
            role_lookup = party_lookup.rsplit("__", 1)[0] + "__role" if "__" in party_lookup else "role"
            party_cond &= Q(**{f"{role_lookup}__in": sorted(r.party_roles)})
        cond |= Q(pk__in=model._base_manager.filter(party_cond).values("pk"))
    return queryset.filter(cond)


def get_or_404(actor: Actor, queryset: models.QuerySet, ability: str, **lookup):
    """The object if the actor may use ``ability`` on it.

    404 if the actor may not even see it, 403 if it is visible but the ability is not granted."""
    from django.http import Http404

    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404
    if can(actor, ability, obj):
        return obj
    view_ability = ability.split(".")[0] + ".view"
    if view_ability in RULES and view_ability != ability and can(actor, view_ability, obj):
        raise PermissionDenied(ability)
    raise Http404


def require(ability: str):
    """View decorator: the request's actor must hold ``ability`` in general.

    Object-level checks follow inside the view (``get_or_404``, ``can``)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            actor = actor_for(request)
            if not actor.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            check(actor, ability)
            return view(request, *args, **kwargs)

        wrapped.access_ability = ability
        return wrapped

    return decorator


def public(view):
    """Marks a view as open to anyone (login page, health check). The matrix test knows these."""
    view.access_public = True
    return view


def login_only(view):
    """A view any logged-in user may open (their own start page, profile, organisation switch)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not actor_for(request).is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapped.access_login_only = True
    return wrapped

"""Reading the audit log, scoped by access.py."""

from __future__ import annotations

from datetime import datetime, time

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from insats.accounts import access
from insats.accounts.models import Membership

from .models import AuditEntry


def entries_for(actor: access.Actor) -> QuerySet[AuditEntry]:
    """Operators see the whole log; an organisation's admins see the entries of their organisation."""
    qs = AuditEntry.objects.select_related("actor", "organisation")
    if actor.is_operator:
        return qs
    if not access.can(actor, "audit.view"):
        return qs.none()
    # Logins, failed logins, lock-outs and two-factor events belong to a person, not an organisation
    # (organisation is empty): an organisation's admins see those of their own members.
    member_ids = Membership.objects.filter(organisation_id=actor.organisation_id).values("user_id")
    personal = Q(organisation__isnull=True) & (
        Q(actor_id__in=member_ids)
        | Q(object_type="accounts.user", object_id__in=member_ids.values_list(Cast("user_id", CharField())))
    )
    return qs.filter(Q(organisation_id=actor.organisation_id) | personal)


def search(
    qs: QuerySet[AuditEntry],
    *,
    person: str = "",
    obj: str = "",
    action: str = "",
    date_from=None,
    date_to=None,
) -> QuerySet[AuditEntry]:
    if person:
        qs = qs.filter(Q(actor_label__icontains=person) | Q(actor__full_name__icontains=person))
    if obj:
        qs = qs.filter(Q(object_label__icontains=obj) | Q(object_type__icontains=obj) | Q(object_id=obj))
    if action:
        qs = qs.filter(action__startswith=action)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(at__gte=timezone.make_aware(datetime.combine(date_from, time.min), tz))
    if date_to:
        qs = qs.filter(at__lte=timezone.make_aware(datetime.combine(date_to, time.max), tz))
    return qs.order_by("-seq")

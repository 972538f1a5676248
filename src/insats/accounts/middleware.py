"""The active membership: which organisation and role the user acts for in this session."""

from __future__ import annotations

from .access import ANONYMOUS, Actor

SESSION_KEY = "insats_membership_id"


def memberships_of(user):
    return user.memberships.select_related("organisation").order_by("organisation__name", "role")


class ActiveMembershipMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        request.actor = ANONYMOUS
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            memberships = list(memberships_of(user))
            chosen = request.session.get(SESSION_KEY)
            active = next((m for m in memberships if m.pk == chosen), None)
            if active is None and memberships:
                active = memberships[0]
                request.session[SESSION_KEY] = active.pk
            request.membership = active
            request.memberships = memberships
            request.actor = Actor(user=user, membership=active)
        return self.get_response(request)

"""``{% role_hint "contract.result.validate" contract _("godkänna") %}``: where a button would be,
tell a member with several roles which of their roles may do it, with a button to switch to it (and
come back to the same page)."""

from __future__ import annotations

from django import template

from insats.accounts import access

register = template.Library()


@register.inclusion_tag("accounts/_role_hint.html", takes_context=True)
def role_hint(context, ability: str, obj=None, verb: str = ""):
    request = context.get("request")
    actor = context.get("actor") or (access.actor_for(request) if request is not None else access.ANONYMOUS)
    memberships = access.other_roles_allowing(actor, ability, obj)
    return {
        "memberships": memberships,
        "verb": verb,
        "next": request.get_full_path() if request is not None else "",
        "csrf_token": context.get("csrf_token"),
    }

"""``{% load sharing_tags %}``: whether the request's actor holds an ability (for links only; the
views check access themselves)."""

from django import template

from insats.accounts import access

register = template.Library()


@register.simple_tag(takes_context=True)
def can_use(context, ability: str) -> bool:
    request = context.get("request")
    return request is not None and access.can(access.actor_for(request), ability)

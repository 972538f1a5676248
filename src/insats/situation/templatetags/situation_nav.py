"""``{% plan_subnav %}``: the planning sub-navigation built by ``insats.situation.navigation``."""

from django import template

from insats.situation.navigation import subnav_links

register = template.Library()


@register.inclusion_tag("situation/plan_subnav.html", takes_context=True)
def plan_subnav(context, section=None):
    request = context.get("request")
    actor = getattr(request, "actor", None)
    return {"links": subnav_links(actor, section or context.get("section"))}

"""Personal API tokens: create, revoke, authenticate.

A token acts as exactly one membership (organisation + role) of the user who created it. Only the
SHA-256 hash of the secret is stored; the secret is shown once, at creation, and never logged. A
token stops working when it is revoked, when its membership is removed (the row goes with it) or
when its user is deactivated.

The secret looks like ``ins_`` followed by 40 URL-safe characters; the first 12 characters are kept
as a ``prefix`` so the owner can tell tokens apart in the list.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insats.audit.services import log_action

from . import access
from .models import ApiToken, Membership, token_key

PREFIX_LENGTH = 12
MAX_TOKENS_PER_USER = 50
# last_used_at is written at most this often per token, so busy integrations do not write on
# every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def tokens_of(actor: access.Actor):
    """The actor's own tokens (all memberships), newest first, revoked ones included."""
    return access.scope(
        actor,
        ApiToken.objects.select_related("membership__organisation"),
        "token.manage",
    ).order_by("-created_at", "-id")


@transaction.atomic
def token_create(*, actor: access.Actor, membership: Membership | None, name: str) -> tuple[ApiToken, str]:
    """Create a token for one of the actor's own memberships. Returns the row and the secret (once)."""
    access.check(actor, "token.manage")
    if membership is None:
        raise ValidationError({"membership": _("Välj vilken roll nyckeln ska agera som.")})
    if membership.user_id != actor.user.pk:
        # A token may only act as one of the creator's own memberships.
        raise PermissionDenied("token.manage")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Ge nyckeln ett namn.")})
    active = ApiToken.objects.filter(membership__user=actor.user, revoked_at__isnull=True).count()
    if active >= MAX_TOKENS_PER_USER:
        raise ValidationError(
            {"name": _("Du har redan %(n)s aktiva nycklar; återkalla någon först.") % {"n": active}}
        )
    key = token_key()
    token = ApiToken(
        membership=membership, name=name, prefix=key[:PREFIX_LENGTH], key_hash=ApiToken.hash(key)
    )
    token.full_clean()
    token.save()
    log_action(
        "api.token.created",
        actor=actor.user,
        organisation=membership.organisation,
        obj=token,
        object_label=f"{name} ({token.prefix}…)",
        changes={"name": name, "prefix": token.prefix, "role": membership.role},
    )
    return token, key


@transaction.atomic
def token_revoke(*, actor: access.Actor, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's own tokens. Revoking twice changes nothing and logs nothing."""
    access.check(actor, "token.manage", token)
    token = ApiToken.objects.select_for_update().select_related("membership__organisation").get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        log_action(
            "api.token.revoked",
            actor=actor.user,
            organisation=token.membership.organisation,
            obj=token,
            object_label=f"{token.name} ({token.prefix}…)",
            changes={"name": token.name, "prefix": token.prefix},
        )
    return token


def authenticate(key: str) -> access.Actor | None:
    """The actor a secret stands for, or None when it is unknown, revoked or its user inactive."""
    if not key or not key.startswith("ins_") or len(key) > 200:
        return None
    token = (
        ApiToken.objects.select_related("membership__user", "membership__organisation")
        .filter(key_hash=ApiToken.hash(key), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    user = token.membership.user
    if not user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # A conditional UPDATE: concurrent requests do not fight over the row.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return access.Actor(user=user, membership=token.membership, via_token=True)

"""The keys of the audit chain. They come from the environment (``AUDIT_HMAC_KEYS``), never the database.

``AUDIT_HMAC_KEYS`` is a list of ``(key_id, key)``: the first key signs new entries, the others only
verify older ones (rotation; docs/operators.md). Every entry stores the id of the key that signed
it. Without ``AUDIT_HMAC_KEYS`` the key is derived from ``SECRET_KEY`` under the id ``sk``: weaker,
because whoever holds ``SECRET_KEY`` can rewrite the chain and changing ``SECRET_KEY`` makes those
entries unverifiable. The derived key stays in the key ring for verifying ``sk`` entries.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

DERIVED_KEY_ID = "sk"


def _derived() -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), b"insats.audit.chain", hashlib.sha256).digest()


def keyring() -> dict[str, bytes]:
    """Every key that may verify an entry, by id."""
    ring = {DERIVED_KEY_ID: _derived()}
    for key_id, key in getattr(settings, "AUDIT_HMAC_KEYS", []):
        ring[key_id] = key.encode()
    return ring


def signing_key() -> tuple[str, bytes]:
    """The (id, key) that signs new entries."""
    configured = getattr(settings, "AUDIT_HMAC_KEYS", [])
    if configured:
        key_id, key = configured[0]
        return key_id, key.encode()
    return DERIVED_KEY_ID, _derived()


def mac(key: bytes, data: bytes) -> str:
    return hmac.new(key, data, hashlib.sha256).hexdigest()

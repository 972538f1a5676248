"""``manage.py check --deploy`` warns when the audit chain is keyed only with the key derived from
SECRET_KEY (docs/operators.md, section 9)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def audit_key_configured(app_configs, **kwargs):
    if getattr(settings, "AUDIT_HMAC_KEYS", None):
        return []
    return [
        Warning(
            "AUDIT_HMAC_KEYS is not set: the audit chain is keyed with a key derived from SECRET_KEY.",
            hint="Set AUDIT_HMAC_KEYS (docs/operators.md, 'Checking the audit log'); whoever holds "
            "SECRET_KEY can rewrite the log, and changing SECRET_KEY makes its entries unverifiable.",
            id="audit.W001",
        )
    ]

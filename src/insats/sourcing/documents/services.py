"""Attach an uploaded file to an object, and hand it back. Every sub-domain uses these two."""

from __future__ import annotations

from pathlib import PurePath

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _

from insats.audit.services import log_action

from .models import ALLOWED_TYPES, MAX_BYTES, Attachment

# What a file must start with, per type (a renamed executable is refused).
_MAGIC = {".pdf": (b"%PDF",), ".docx": (b"PK",), ".xlsx": (b"PK",), ".odt": (b"PK",)}


def attachment_validate(upload) -> tuple[bytes, str]:
    """The upload's bytes and MIME type, or a ValidationError naming what is wrong."""
    name = PurePath(upload.name or "").name
    suffix = PurePath(name).suffix.lower()
    by_suffix = {v: k for k, v in ALLOWED_TYPES.items()}
    if suffix not in by_suffix:
        raise ValidationError(
            _("Filen %(name)s har en typ som inte tas emot. Tillåtna: %(types)s.")
            % {"name": name, "types": ", ".join(sorted(by_suffix))}
        )
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("Filen %(name)s är för stor (högst %(mb)s MB).")
            % {"name": name, "mb": MAX_BYTES // (1024 * 1024)}
        )
    content = upload.read()
    if not content:
        raise ValidationError(_("Filen %(name)s är tom.") % {"name": name})
    magic = _MAGIC.get(suffix)
    if magic and not content.startswith(magic):
        raise ValidationError(
            _("Filen %(name)s är inte en riktig %(suffix)s-fil.") % {"name": name, "suffix": suffix}
        )
    return content, by_suffix[suffix]


def attachment_add(*, actor, target, organisation, upload, purpose: str = "") -> Attachment:
    content, mime = attachment_validate(upload)
    user = getattr(actor, "user", actor)  # an access Actor or a User (or None)
    att = Attachment.objects.create(
        content_type=ContentType.objects.get_for_model(target),
        object_id=str(target.pk),
        organisation=organisation,
        purpose=purpose,
        name=PurePath(upload.name).name[:200],
        mime_type=mime,
        size=len(content),
        sha256=Attachment.digest(content),
        content=content,
        uploaded_by=user,
    )
    log_action(
        "attachment.add",
        actor=user,
        organisation=organisation,
        obj=att,
        changes={"name": att.name, "sha256": att.sha256, "purpose": purpose},
    )
    return att


def attachments_of(target):
    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=str(target.pk)
    ).defer("content")


def attachment_response(att: Attachment) -> HttpResponse:
    """The file as a download (never rendered inline: a PDF from outside is not our page)."""
    response = HttpResponse(bytes(att.content), content_type=att.mime_type)
    response["Content-Disposition"] = f'attachment; filename="{att.name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response

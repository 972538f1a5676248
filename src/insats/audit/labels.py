"""Plain labels for the audit log's actions and objects (display only; the log keeps its codes).

``auth.login`` → "Inloggning", ``contract.metric_add`` → "Utfallsmått tillagt",
``accounts.user 12`` → the user's name (or "Användare #12" when the user is gone). An action
without a label of its own is named from its subject and verb; only an unknown code falls back to
the code itself.
"""

from __future__ import annotations

import re

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Whole actions whose name is not "subject + verb".
ACTIONS = {
    "auth.login": gettext_lazy("Inloggning"),
    "auth.login_failed": gettext_lazy("Misslyckad inloggning"),
    "auth.logout": gettext_lazy("Utloggning"),
    "auth.locked": gettext_lazy("Konto spärrat efter misslyckade inloggningar"),
    "auth.unlocked": gettext_lazy("Spärr hävd"),
    "auth.2fa.enabled": gettext_lazy("Tvåfaktorsinloggning påslagen"),
    "auth.2fa.disabled": gettext_lazy("Tvåfaktorsinloggning avstängd"),
    "auth.2fa.recovery_regenerated": gettext_lazy("Nya återställningskoder skapade"),
    "auth.2fa.recovery_used": gettext_lazy("Återställningskod använd"),
    "accounts.user.password_reset": gettext_lazy("Lösenord återställt"),
    "accounts.federation.member_set": gettext_lazy("Medlem i samordningsförbundet ändrad"),
    "audit.exported": gettext_lazy("Granskningsloggen exporterad"),
    "audit.verify": gettext_lazy("Granskningsloggens kedja kontrollerad"),
    "contract.sign": gettext_lazy("Kontrakt undertecknat av en part"),
    "contract.signatures_cleared": gettext_lazy("Underskrifter nollställda efter ändrade villkor"),
    "contract.status": gettext_lazy("Kontraktets status ändrad"),
    "contract.financing": gettext_lazy("Finansieringsvillkor sparade"),
    "contract.payment_terms": gettext_lazy("Betalningsvillkor ändrade"),
    "contract.version": gettext_lazy("Ny kontraktsversion"),
    "contract.change_propose": gettext_lazy("Ändring föreslagen"),
    "contract.change_approve": gettext_lazy("Ändringsförslag godkänt av en part"),
    "contract.change_reject": gettext_lazy("Ändringsförslag avslaget"),
    "contract.change_withdraw": gettext_lazy("Ändringsförslag återtaget"),
    "contract.change_applied": gettext_lazy("Ändring genomförd"),
    "contract.payment.planned": gettext_lazy("Betalning planerad"),
    "contract.payment.due": gettext_lazy("Betalning förfallen"),
    "contract.payment.invoiced": gettext_lazy("Betalning fakturerad"),
    "contract.payment.paid": gettext_lazy("Betalning markerad som betald"),
    "contract.payments.calculated": gettext_lazy("Betalningar beräknade"),
    "contract.payments.exported": gettext_lazy("Betalningar exporterade"),
    "contract.invoice_basis.exported": gettext_lazy("Fakturaunderlag exporterat"),
    "situation.demo_indicators.built": gettext_lazy("Demodata för lägesbilden skapade"),
    "situation.areas.loaded": gettext_lazy("Områden inlästa"),
    "situation.kolada.synced": gettext_lazy("Indikatorer hämtade från Kolada"),
    "situation.kolada.groups_synced": gettext_lazy("Jämförelsegrupper hämtade från Kolada"),
    "situation.area_group.members_changed": gettext_lazy("Områdesgruppens medlemmar ändrade"),
}

# Subjects: (label, neuter?) — Swedish participles agree with the noun.
SUBJECTS = {
    "accounts.body": (gettext_lazy("Organ"), True),
    "accounts.invitation": (gettext_lazy("Inbjudan"), False),
    "accounts.membership": (gettext_lazy("Medlemskap"), True),
    "accounts.organisation": (gettext_lazy("Organisation"), False),
    "accounts.partnership": (gettext_lazy("Partnerskap"), True),
    "accounts.seat": (gettext_lazy("Plats i organ"), False),
    "accounts.share": (gettext_lazy("Delning"), False),
    "accounts.user": (gettext_lazy("Användare"), False),
    "contract": (gettext_lazy("Kontrakt"), True),
    "contract.action": (gettext_lazy("Åtgärd"), False),
    "contract.business_case": (gettext_lazy("Affärscase"), True),
    "contract.change": (gettext_lazy("Ändringsförslag"), True),
    "contract.cohort": (gettext_lazy("Kohort"), False),
    "contract.ledger": (gettext_lazy("Fondens bokföring"), False),
    "contract.metric": (gettext_lazy("Utfallsmått"), True),
    "contract.party": (gettext_lazy("Part"), False),
    "contract.payment": (gettext_lazy("Betalning"), False),
    "contract.result": (gettext_lazy("Resultat"), True),
    "situation.action": (gettext_lazy("Aktivitet"), False),
    "situation.area_group": (gettext_lazy("Områdesgrupp"), False),
    "situation.cause_analysis": (gettext_lazy("Orsaksanalys"), False),
    "situation.cause_node": (gettext_lazy("Orsak"), False),
    "situation.export": (gettext_lazy("Lägesbild"), False),
    "situation.import": (gettext_lazy("Indikatorimport"), False),
    "situation.import_mapping": (gettext_lazy("Importmappning"), False),
    "situation.indicator": (gettext_lazy("Indikator"), False),
    "situation.result": (gettext_lazy("Resultat"), True),
    "situation.result_indicator": (gettext_lazy("Resultatindikator"), False),
    "situation.target": (gettext_lazy("Mål"), True),
    "situation.target_group": (gettext_lazy("Målgrupp"), False),
}

# Verbs: (common gender, neuter).
VERBS = {
    "create": (gettext_lazy("skapad"), gettext_lazy("skapat")),
    "created": (gettext_lazy("skapad"), gettext_lazy("skapat")),
    "add": (gettext_lazy("tillagd"), gettext_lazy("tillagt")),
    "added": (gettext_lazy("tillagd"), gettext_lazy("tillagt")),
    "update": (gettext_lazy("ändrad"), gettext_lazy("ändrat")),
    "changed": (gettext_lazy("ändrad"), gettext_lazy("ändrat")),
    "level_changed": (gettext_lazy("fick ny samverkansnivå"), gettext_lazy("fick ny samverkansnivå")),
    "remove": (gettext_lazy("borttagen"), gettext_lazy("borttaget")),
    "removed": (gettext_lazy("borttagen"), gettext_lazy("borttaget")),
    "deleted": (gettext_lazy("borttagen"), gettext_lazy("borttaget")),
    "ended": (gettext_lazy("avslutad"), gettext_lazy("avslutat")),
    "revoked": (gettext_lazy("återkallad"), gettext_lazy("återkallat")),
    "sent": (gettext_lazy("skickad"), gettext_lazy("skickat")),
    "granted": (gettext_lazy("beviljad"), gettext_lazy("beviljat")),
    "shared": (gettext_lazy("delad"), gettext_lazy("delat")),
    "unshared": (gettext_lazy("inte längre delad"), gettext_lazy("inte längre delat")),
    "moved": (gettext_lazy("flyttad"), gettext_lazy("flyttat")),
    "restored": (gettext_lazy("återställd"), gettext_lazy("återställt")),
    "status": (gettext_lazy("fick ny status"), gettext_lazy("fick ny status")),
    "approved": (gettext_lazy("godkänd"), gettext_lazy("godkänt")),
    "returned": (gettext_lazy("återsänd för komplettering"), gettext_lazy("återsänt för komplettering")),
    "submitted": (gettext_lazy("inlämnad"), gettext_lazy("inlämnat")),
    "resubmitted": (gettext_lazy("inlämnad igen"), gettext_lazy("inlämnat igen")),
    "corrected": (gettext_lazy("rättad"), gettext_lazy("rättat")),
    "imported": (gettext_lazy("importerad"), gettext_lazy("importerat")),
    "saved": (gettext_lazy("sparad"), gettext_lazy("sparat")),
    "calculated": (gettext_lazy("beräknad"), gettext_lazy("beräknat")),
    "invoiced": (gettext_lazy("fakturerad"), gettext_lazy("fakturerat")),
    "paid": (gettext_lazy("betald"), gettext_lazy("betalt")),
    "exported": (gettext_lazy("exporterad"), gettext_lazy("exporterat")),
    "run": (gettext_lazy("körd"), gettext_lazy("kört")),
    "done": (gettext_lazy("klar"), gettext_lazy("klart")),
    "failed": (gettext_lazy("misslyckad"), gettext_lazy("misslyckat")),
}

_DEFAULT_STR = re.compile(r"^\w+ object \(\d+\)$")


def action_label(code: str) -> str:
    """``auth.login`` → "Inloggning"; ``contract.metric_add`` → "Utfallsmått tillagt"."""
    if code in ACTIONS:
        return str(ACTIONS[code])
    subject, _dot, verb = code.rpartition(".")
    candidates = [(subject, verb)]
    # contract.metric_add, contract.change_propose: the verb after the last underscore.
    head, _us, tail = verb.rpartition("_")
    if head:
        candidates.append((f"{subject}.{head}", tail))
    for subj, vb in candidates:
        if subj in SUBJECTS and vb in VERBS:
            noun, neuter = SUBJECTS[subj]
            participle = VERBS[vb][1 if neuter else 0]
            return _("%(subject)s %(verb)s") % {"subject": noun, "verb": participle}
    return code


def type_label(object_type: str) -> str:
    """``contracts.outcomemetric`` → "Utfallsmått" (the model's name), or "" if unknown."""
    if not object_type or "." not in object_type:
        return ""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return ""
    name = str(model._meta.verbose_name)
    return name[:1].upper() + name[1:]


def _named(entry) -> str:
    """The label the entry was logged with, unless it is Django's default ``X object (12)``."""
    text = (entry.object_label or "").strip()
    return "" if _DEFAULT_STR.match(text) else text


def object_label(entry, users: dict[int, str] | None = None) -> str:
    """What the entry is about, by name: the label it was logged with, else the user's name or
    e-mail (``accounts.user``; from ``users`` when given, else one query), else "Användare #12"."""
    if text := _named(entry):
        return text
    if not entry.object_type and not entry.object_id:
        return ""
    if entry.object_type == "accounts.user" and str(entry.object_id).isdigit():
        user_id = int(entry.object_id)
        if users is None:
            users = _user_names({user_id})
        if user_id in users:
            return users[user_id]
    kind = type_label(entry.object_type) or _("Objekt")
    return f"{kind} #{entry.object_id}" if entry.object_id else kind


def _user_names(ids: set[int]) -> dict[int, str]:
    from django.contrib.auth import get_user_model

    return {u.pk: getattr(u, "full_name", "") or u.email for u in get_user_model().objects.filter(pk__in=ids)}


def with_object_labels(entries) -> list:
    """``entries`` as a list, each with ``object_text`` set (:func:`object_label`); the users they
    name are read in one query, not one per row."""
    entries = list(entries)
    ids = {
        int(e.object_id)
        for e in entries
        if e.object_type == "accounts.user" and str(e.object_id).isdigit() and not _named(e)
    }
    users = _user_names(ids) if ids else {}
    for e in entries:
        e.object_text = object_label(e, users)
    return entries

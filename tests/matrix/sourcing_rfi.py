"""Matrix entries for the market dialogue (RFI), issue 10 item 3. Written from the brief and DESIGN.md's
"Tenancy and trust", not copied from ``access.RULES``:

* the buyer (the world's owner, Tomelilla) writes its RFIs: its administrators, procurement officers
  and analysts build, publish, close and cancel them; every member of the buyer reads them;
* a draft RFI is the buyer's alone; a published open RFI is read by every logged-in organisation and
  on the public pages by anyone; here the buyer has also invited the partner (RISE: a Share);
* respondents are organisations that were sent the RFI or can see it published: their
  administrators, procurement officers, analysts and contract managers answer it. The buyer does not
  answer its own RFI;
* a response is its writer's: the writer's responders read and change it; the buyer's responders
  read it once it is submitted (never a draft). No respondent sees another's response: besides the
  partner's response there is one from a second outside organisation ("Stiftelsen Matrisbarn",
  no user in any column) — nobody but the buyer reads it — and that organisation's draft on a
  second RFI, which nobody else reads at all, not even the buyer.
"""

from __future__ import annotations

import datetime
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from insats.accounts import services as accounts
from insats.accounts.models import Role
from insats.situation.models import Area, Indicator, Observation
from tests.conftest import org_number
from tests.matrix import ALL, NONE, Entry

EDITORS = frozenset({Role.ADMIN.value, Role.PROCUREMENT.value, Role.ANALYST.value})
RESPONDERS = frozenset(
    {Role.ADMIN.value, Role.PROCUREMENT.value, Role.ANALYST.value, Role.CONTRACT_MANAGER.value}
)
OK = frozenset({200})
CREATED = frozenset({201})


def ensure(w, key: str, factory):
    cache = w.__dict__.setdefault("_matrix_objects", {})
    if key not in cache:
        cache[key] = factory(w)
    return cache[key]


def objects(w) -> dict:
    def build(w):
        from insats.sourcing.rfi import services

        owner = w.orgs["owner"]
        future = timezone.now() + datetime.timedelta(days=30)
        area = Area.objects.get(code="1270")
        ind, _created = Indicator.objects.get_or_create(
            code="RFIM01",
            organisation=None,
            defaults={"title_sv": "Andel elever med godkänt", "unit": "%", "source": "demo"},
        )
        Observation.objects.create(area=area, indicator=ind, period=2023, value=71, source="demo")

        draft = services.rfi_create(
            actor=None, organisation=owner, values={"title": "Utkast", "deadline": future}
        )
        question = services.question_add(actor=None, rfi=draft, values={"text": "Vad gör ni?"})
        figure = services.figure_add(actor=None, rfi=draft, indicator=ind, area=area, period=2023)

        pub = services.rfi_create(
            actor=None, organisation=owner, values={"title": "Öppen", "deadline": future, "is_public": True}
        )
        services.questions_add_seed_set(actor=None, rfi=pub)
        pub = services.rfi_publish(actor=None, rfi=pub)
        accounts.share_create(
            actor=None,
            owner=owner,
            obj=pub,
            organisation=w.orgs["partner"],
            purpose="rfi",
            action="sourcing.rfi.shared",
        )
        q1 = pub.questions.first()

        partner_response = services.response_upload(
            actor=None,
            rfi=pub,
            organisation=w.orgs["partner"],
            upload=SimpleUploadedFile("svar.txt", b"Vart svar i ett dokument."),
        )
        services.response_save(
            actor=None,
            rfi=pub,
            organisation=w.orgs["partner"],
            values={"competences": "Forskning"},
            answers={q1.pk: {"text": "RISE svarar"}},
        )
        partner_response = services.response_submit(actor=None, response=partner_response)

        other = accounts.organisation_create(
            actor=None, name="Stiftelsen Matrisbarn", org_number=org_number(4107), kind="ideburen"
        )
        other_response = services.response_save(
            actor=None,
            rfi=pub,
            organisation=other,
            values={"competences": "Hemligt"},
            answers={
                q1.pk: {"text": "Stiftelsen svarar", "secrecy_requested": True, "secrecy_reason": "Affär"}
            },
        )
        other_response = services.response_submit(actor=None, response=other_response)

        pub2 = services.rfi_create(
            actor=None, organisation=owner, values={"title": "Öppen 2", "deadline": future, "is_public": True}
        )
        services.question_add(actor=None, rfi=pub2, values={"text": "Fråga"})
        pub2 = services.rfi_publish(actor=None, rfi=pub2)
        other_draft = services.response_save(
            actor=None, rfi=pub2, organisation=other, values={"competences": "Utkast"}, answers={}
        )
        return {
            "draft": draft,
            "question": question,
            "figure": figure,
            "indicator": ind,
            "area": area,
            "pub": pub,
            "partner_response": partner_response,
            "other": other,
            "other_response": other_response,
            "other_draft": other_draft,
        }

    return ensure(w, "sourcing_rfi", build)


def _draft(w):
    return {"pk": objects(w)["draft"].pk}


def _pub(w):
    return {"pk": objects(w)["pub"].pk}


def _draft_api(w):
    return {"rfi_id": objects(w)["draft"].pk}


def _pub_api(w):
    return {"rfi_id": objects(w)["pub"].pk}


def _question(w):
    o = objects(w)
    return {"pk": o["draft"].pk, "question_pk": o["question"].pk}


def _figure(w):
    o = objects(w)
    return {"pk": o["draft"].pk, "figure_pk": o["figure"].pk}


def _response(key):
    def kwargs(w):
        return {"pk": objects(w)[key].pk}

    return kwargs


def _response_api(key):
    def kwargs(w):
        return {"response_id": objects(w)[key].pk}

    return kwargs


def _document(w):
    from insats.sourcing.documents.services import attachments_of

    r = objects(w)["partner_response"]
    return {"pk": r.pk, "document_pk": attachments_of(r).first().pk}


def _rfi_form(w) -> dict:
    return {"title": "Ny dialog", "deadline": "2031-05-27T16:00", "secrecy_info": "Text"}


def only_own_responses(w, org: str, role: str, response) -> str | None:
    """A respondent's list holds only its own response; the buyer's holds no draft."""
    from insats.sourcing.rfi.models import RfiResponse

    rows = json.loads(response.content)
    orgs = {r["organisation_id"] for r in rows}
    if org == "owner":
        drafts = [r for r in rows if r["status"] == "draft"]
        if drafts:
            return f"the buyer sees drafts: {drafts}"
        expected = set(
            RfiResponse.objects.filter(rfi=objects(w)["pub"], status="submitted").values_list(
                "organisation_id", flat=True
            )
        )
        return None if orgs == expected else f"the buyer sees {orgs}, expected {expected}"
    own = w.orgs[org].pk
    return None if orgs <= {own} else f"{org} sees other organisations' responses: {orgs - {own}}"


def _respond_data(w) -> dict:
    q1 = objects(w)["pub"].questions.first()
    return {"competences": "Vi kan", f"q{q1.pk}_text": "Svar", "save": "1"}


ENTRIES = {
    # --- the buyer
    "sourcing:rfi_list": Entry(own=ALL, partner=ALL, unrelated=ALL, ok_statuses=OK),
    "sourcing:rfi_create": Entry(own=EDITORS, partner=EDITORS, unrelated=EDITORS, ok_statuses=OK),
    "sourcing:rfi_create#post": Entry(
        own=EDITORS, partner=EDITORS, unrelated=EDITORS, method="POST", data=_rfi_form
    ),
    "sourcing:rfi_detail": Entry(_draft, own=ALL, partner=NONE, unrelated=NONE, ok_statuses=OK),
    "sourcing:rfi_detail#published": Entry(_pub, own=ALL, partner=ALL, unrelated=ALL, ok_statuses=OK),
    "sourcing:rfi_edit": Entry(_draft, own=EDITORS, ok_statuses=OK),
    "sourcing:rfi_edit#post": Entry(_draft, own=EDITORS, method="POST", data=_rfi_form),
    "sourcing:rfi_edit#published": Entry(_pub, own=EDITORS, ok_statuses=OK),
    "sourcing:rfi_questions": Entry(_draft, own=EDITORS, ok_statuses=OK),
    "sourcing:rfi_questions#post": Entry(
        _draft, own=EDITORS, method="POST", data=lambda w: {"text": "Ny fråga", "kind": "text"}
    ),
    "sourcing:rfi_questions_seed": Entry(_draft, own=EDITORS, method="POST"),
    "sourcing:rfi_question_edit": Entry(_question, own=EDITORS, ok_statuses=OK),
    "sourcing:rfi_question_edit#post": Entry(
        _question, own=EDITORS, method="POST", data=lambda w: {"text": "Ändrad", "kind": "text"}
    ),
    "sourcing:rfi_question_delete": Entry(_question, own=EDITORS, ok_statuses=OK),
    "sourcing:rfi_question_delete#post": Entry(_question, own=EDITORS, method="POST"),
    "sourcing:rfi_figures": Entry(_draft, own=EDITORS, ok_statuses=OK),
    "sourcing:rfi_figures#post": Entry(
        _draft,
        own=EDITORS,
        method="POST",
        # the same figure again: refused with a named error (200), still "let in"
        data=lambda w: {
            "indicator": objects(w)["indicator"].pk,
            "area": objects(w)["area"].pk,
            "period": "2023",
        },
        ok_statuses=OK,
    ),
    "sourcing:rfi_figure_delete": Entry(_figure, own=EDITORS, ok_statuses=OK),
    "sourcing:rfi_figure_delete#post": Entry(_figure, own=EDITORS, method="POST"),
    "sourcing:rfi_status": Entry(lambda w: {**_draft(w), "action": "publicera"}, own=EDITORS, ok_statuses=OK),
    "sourcing:rfi_status#publish": Entry(
        lambda w: {**_draft(w), "action": "publicera"}, own=EDITORS, method="POST"
    ),
    "sourcing:rfi_status#close": Entry(
        lambda w: {**_pub(w), "action": "avsluta"}, own=EDITORS, method="POST"
    ),
    "sourcing:rfi_status#cancel": Entry(
        lambda w: {**_pub(w), "action": "avbryt"}, own=EDITORS, ok_statuses=OK
    ),
    # --- public
    "sourcing:rfi_public_list": Entry(anonymous=True, own=ALL, partner=ALL, unrelated=ALL, ok_statuses=OK),
    "sourcing:rfi_public": Entry(_pub, anonymous=True, own=ALL, partner=ALL, unrelated=ALL, ok_statuses=OK),
    # --- respondents
    "sourcing:rfi_respond": Entry(_pub, own=NONE, partner=RESPONDERS, unrelated=RESPONDERS, ok_statuses=OK),
    "sourcing:rfi_respond#post": Entry(
        _pub, own=NONE, partner=RESPONDERS, unrelated=RESPONDERS, method="POST", data=_respond_data
    ),
    "sourcing:rfi_respond#draft": Entry(_draft, own=NONE, partner=NONE, unrelated=NONE),
    # the partner has a submitted response to withdraw; the unrelated organisation has none
    "sourcing:rfi_response_withdraw": Entry(
        _pub, own=NONE, partner=RESPONDERS, unrelated=NONE, ok_statuses=OK
    ),
    "sourcing:rfi_response_withdraw#post": Entry(
        _pub, own=NONE, partner=RESPONDERS, unrelated=NONE, method="POST"
    ),
    "sourcing:rfi_response_detail": Entry(
        _response("partner_response"), own=RESPONDERS, partner=RESPONDERS, unrelated=NONE, ok_statuses=OK
    ),
    "sourcing:rfi_response_detail#other": Entry(
        _response("other_response"), own=RESPONDERS, partner=NONE, unrelated=NONE, ok_statuses=OK
    ),
    "sourcing:rfi_response_detail#draft": Entry(
        _response("other_draft"), own=NONE, partner=NONE, unrelated=NONE
    ),
    "sourcing:rfi_response_document": Entry(
        _document, own=RESPONDERS, partner=RESPONDERS, unrelated=NONE, ok_statuses=OK
    ),
    # --- API
    "api:GET /api/v1/sourcing/rfis": Entry(own=ALL, partner=ALL, unrelated=ALL, ok_statuses=OK),
    "api:POST /api/v1/sourcing/rfis": Entry(
        own=EDITORS,
        partner=EDITORS,
        unrelated=EDITORS,
        data=lambda w: {"title": "Via API"},
        ok_statuses=CREATED,
    ),
    "api:GET /api/v1/sourcing/rfis/{rfi_id}": Entry(_draft_api, own=ALL, ok_statuses=OK),
    "api:GET /api/v1/sourcing/rfis/{rfi_id}#published": Entry(
        _pub_api, own=ALL, partner=ALL, unrelated=ALL, ok_statuses=OK
    ),
    "api:POST /api/v1/sourcing/rfis/{rfi_id}/publish": Entry(_draft_api, own=EDITORS, ok_statuses=OK),
    "api:GET /api/v1/sourcing/rfis/{rfi_id}/questions": Entry(_draft_api, own=ALL, ok_statuses=OK),
    "api:GET /api/v1/sourcing/rfis/{rfi_id}/questions#published": Entry(
        _pub_api, own=ALL, partner=ALL, unrelated=ALL, ok_statuses=OK
    ),
    "api:POST /api/v1/sourcing/rfis/{rfi_id}/questions": Entry(
        _draft_api, own=EDITORS, data=lambda w: {"text": "Fråga via API"}, ok_statuses=CREATED
    ),
    "api:GET /api/v1/sourcing/rfis/{rfi_id}/responses": Entry(
        _pub_api,
        own=RESPONDERS,
        partner=RESPONDERS,
        unrelated=RESPONDERS,
        ok_statuses=OK,
        content=only_own_responses,
    ),
    "api:PUT /api/v1/sourcing/rfis/{rfi_id}/responses/own": Entry(
        _pub_api,
        own=NONE,
        partner=RESPONDERS,
        unrelated=RESPONDERS,
        data=lambda w: {"competences": "API", "answers": []},
        ok_statuses=OK,
    ),
    "api:GET /api/v1/sourcing/rfis/responses/{response_id}": Entry(
        _response_api("partner_response"), own=RESPONDERS, partner=RESPONDERS, unrelated=NONE, ok_statuses=OK
    ),
    "api:GET /api/v1/sourcing/rfis/responses/{response_id}#other": Entry(
        _response_api("other_response"), own=RESPONDERS, partner=NONE, unrelated=NONE, ok_statuses=OK
    ),
    "api:GET /api/v1/sourcing/rfis/responses/{response_id}#draft": Entry(
        _response_api("other_draft"), own=NONE, partner=NONE, unrelated=NONE
    ),
    "api:POST /api/v1/sourcing/rfis/responses/{response_id}/submit": Entry(
        _response_api("partner_response"), own=NONE, partner=RESPONDERS, unrelated=NONE, ok_statuses=OK
    ),
}

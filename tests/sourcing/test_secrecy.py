"""Secrecy assessments and redacted copies (issue 10 item 3; shared with tenders, issue 11 item 7).

The expected texts are the test world's own (tests/sourcing/secrecy_world.py): the partner's
response asks for secrecy on its solution (SECRET_METHOD) and its price (SECRET_PRICE)."""

from __future__ import annotations

import datetime
import hashlib
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insats.accounts.access import Actor
from insats.audit.models import AuditEntry
from insats.sourcing.secrecy import services
from insats.sourcing.secrecy.models import SecrecyAssessment, SecrecyAssessmentPart, SecrecyHandOut
from insats.sourcing.secrecy.parts import SecrecyPart
from insats.sourcing.secrecy.redaction import NOT_ASSESSED, PartDecision, redact
from insats.sourcing.secrecy.services import PartInput
from tests.conftest import login
from tests.sourcing.pdftext import pdf_text
from tests.sourcing.secrecy_world import SECRET_METHOD, SECRET_PRICE, build

PLACEHOLDER = "[Uppgiften omfattas av sekretess enligt OSL 31 kap. 16 §]"
TODAY = datetime.date.today()


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def actor(w, org="owner", role="procurement"):
    return Actor(user=w.user(org, role), membership=w.membership(org, role))


def inputs(response, secret_keys, *, motivation="Uppgiften avslöjar affärshemligheter.", ground="31:16"):
    return [
        PartInput(
            key=p.key,
            secret=p.key in secret_keys,
            legal_ground=ground if p.key in secret_keys else "",
            motivation=motivation if p.key in secret_keys else "",
        )
        for p in response.secrecy_parts()
    ]


def key_of(response, question_key):
    return f"answer-{response.rfi.questions.get(key=question_key).pk}"


@pytest.fixture
def rfi_world(world):
    rfi, partner, unrelated = build(world)
    return world, rfi, partner, unrelated


def decided(w, response, secret_question_keys):
    keys = {key_of(response, k) for k in secret_question_keys}
    return services.assessment_create(
        actor=actor(w),
        kind_key="rfi_response",
        document=response,
        requester_name="Anna Journalist",
        requester_organisation="Ystads Allehanda",
        received_on=TODAY,
        parts=inputs(response, keys),
        decide=True,
    )


# --------------------------------------------------------------------------- pure redaction


@st.composite
def documents(draw):
    n = draw(st.integers(min_value=1, max_value=8))
    body = st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäö 0123456789.,", min_size=0, max_size=40)
    # Each part's text is fenced by markers unique to it, so no part's text is inside another's.
    parts = [
        SecrecyPart(
            key=f"p{i}", label=f"Fråga {i}", text=f"«{i}:{draw(body)}:{i}»", requested=draw(st.booleans())
        )
        for i in range(n)
    ]
    secret = [draw(st.booleans()) for _ in range(n)]
    return parts, secret


@given(documents())
def test_the_redaction_omits_exactly_the_parts_decided_secret(doc):
    parts, secret = doc
    decisions = {p.key: PartDecision(secret=s, legal_ground="31:16") for p, s in zip(parts, secret)}
    out = redact(parts, decisions)
    joined = "\n".join(r.text for r in out)
    for p, s, r in zip(parts, secret, out):
        assert r.masked is s
        if s:
            assert r.text == PLACEHOLDER and p.text not in joined
        else:
            assert r.text == p.text


@given(documents())
@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_copy_as_html_omits_exactly_the_secret_parts(doc):
    """The same property through the copy's template (what the HTML and PDF hand-outs are made of)."""
    from django.template.loader import render_to_string
    from django.utils.html import escape

    parts, secret = doc
    decisions = {p.key: PartDecision(secret=s, legal_ground="31:16") for p, s in zip(parts, secret)}

    class A:  # the template's view of an assessment
        document_title = "Svar"
        organisation = type("O", (), {"name": "Tomelilla kommun"})()
        decided_on = TODAY

        @staticmethod
        def get_decision_display():
            return "Lämnas ut delvis (maskad)"

    html = render_to_string(
        "sourcing/secrecy/_copy_body.html", {"assessment": A, "parts": redact(parts, decisions)}
    )
    for p, s in zip(parts, secret):
        fence = f"«{p.key[1:]}:"
        if s:
            assert fence not in html
        else:
            assert escape(p.text).replace("\n", "<br>") in html or squash(escape(p.text)) in squash(html)
    assert html.count(PLACEHOLDER) == sum(secret)


def test_a_part_the_assessment_did_not_try_is_withheld():
    parts = [SecrecyPart("a", "A", "offentlig"), SecrecyPart("b", "B", "ny och oprövad")]
    out = redact(parts, {"a": PartDecision(secret=False)})
    assert [r.text for r in out] == ["offentlig", NOT_ASSESSED]


# --------------------------------------------------------------------------- the service


def test_motivation_and_ground_are_required_for_a_secret_part(rfi_world):
    w, rfi, partner, _ = rfi_world
    key = key_of(partner, "solution")
    parts = inputs(partner, {key}, motivation="")
    with pytest.raises(ValidationError) as exc:
        services.assessment_create(
            actor=actor(w), kind_key="rfi_response", document=partner, received_on=TODAY, parts=parts
        )
    assert f"part-{key}-motivation" in exc.value.message_dict
    # Atomic: neither the assessment nor any part was kept, and nothing was audited.
    assert not SecrecyAssessment.objects.exists() and not SecrecyAssessmentPart.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="sourcing.secrecy").exists()
    no_ground = inputs(partner, {key}, ground="")
    with pytest.raises(ValidationError) as exc:
        services.assessment_create(
            actor=actor(w), kind_key="rfi_response", document=partner, received_on=TODAY, parts=no_ground
        )
    assert f"part-{key}-legal_ground" in exc.value.message_dict


def test_every_part_must_be_tried(rfi_world):
    w, rfi, partner, _ = rfi_world
    with pytest.raises(ValidationError) as exc:
        services.assessment_create(
            actor=actor(w),
            kind_key="rfi_response",
            document=partner,
            received_on=TODAY,
            parts=inputs(partner, set())[:2],
        )
    assert "parts" in exc.value.message_dict
    assert not SecrecyAssessment.objects.exists()


def test_a_decision_is_derived_from_the_parts_and_then_frozen(rfi_world):
    w, rfi, partner, _ = rfi_world
    a = decided(w, partner, ["solution"])
    assert a.status == "decided" and a.decision == "partial" and a.decided_on == TODAY
    assert a.organisation == w.orgs["owner"]  # the recipient holds the document
    with pytest.raises(ValidationError):
        services.assessment_update(
            actor=actor(w),
            assessment=a,
            requester_name="",
            requester_organisation="",
            received_on=TODAY,
            parts=inputs(partner, set()),
        )
    assert SecrecyAssessment.objects.get(pk=a.pk).parts.filter(secret=True).count() == 1
    none_secret = services.assessment_create(
        actor=actor(w),
        kind_key="rfi_response",
        document=partner,
        received_on=TODAY,
        parts=inputs(partner, set()),
        decide=True,
    )
    assert none_secret.decision == "disclose"
    audit = list(
        AuditEntry.objects.filter(object_id=str(a.pk), action__startswith="sourcing.secrecy").order_by("seq")
    )
    assert [e.action for e in audit] == ["sourcing.secrecy.created", "sourcing.secrecy.decided"]


def test_the_copy_omits_the_secret_parts_in_html_and_pdf(rfi_world):
    w, rfi, partner, _ = rfi_world
    a = decided(w, partner, ["solution", "price"])
    html = services.copy_html(a)
    pdf = pdf_text(services.copy_pdf(a))
    for text in (html, pdf):
        assert squash(SECRET_METHOD) not in squash(text) and "Trygga Band" not in text
        assert squash(SECRET_PRICE) not in squash(text) and "1 150" not in text
        assert text.count(PLACEHOLDER) == 2 or squash(text).count(squash(PLACEHOLDER)) == 2
        # What was not secret is there: the extraction sees the text, so the absence means something.
        assert squash("Forskare i utvecklingspsykologi") in squash(text)
        assert "Idéburen" in text
    # The sender's reasons are not in the copy either.
    assert "konkurrensfördel" not in html and "konkurrensfördel" not in pdf


def test_a_changed_document_needs_a_new_assessment(rfi_world):
    w, rfi, partner, _ = rfi_world
    a = decided(w, partner, ["solution"])
    answer = partner.answers.get(question__key="form")
    answer.choice = "Företag"
    answer.save()
    with pytest.raises(ValidationError):
        services.copy_html(a)


def test_a_hand_out_is_recorded_with_the_hash_of_the_copy_and_audited(rfi_world):
    w, rfi, partner, _ = rfi_world
    a = decided(w, partner, ["solution"])
    h = services.handout_record(actor=actor(w), assessment=a, recipient="Ystads Allehanda", fmt="pdf")
    assert h.sha256 == hashlib.sha256(bytes(h.content)).hexdigest()
    assert bytes(h.content).startswith(b"%PDF")
    assert squash(SECRET_METHOD) not in squash(pdf_text(bytes(h.content)))
    entry = AuditEntry.objects.get(action="sourcing.secrecy.handed_out")
    assert entry.changes["sha256"] == h.sha256 and entry.changes["recipient"] == "Ystads Allehanda"
    assert entry.changes["masked_parts"] == [key_of(partner, "solution")]


def test_a_draft_cannot_be_handed_out_nor_a_withheld_document(rfi_world):
    w, rfi, partner, _ = rfi_world
    draft = services.assessment_create(
        actor=actor(w),
        kind_key="rfi_response",
        document=partner,
        received_on=TODAY,
        parts=inputs(partner, set()),
    )
    with pytest.raises(ValidationError):
        services.handout_record(actor=actor(w), assessment=draft, recipient="X", fmt="pdf")
    everything = {p.key for p in partner.secrecy_parts()}
    withheld = services.assessment_create(
        actor=actor(w),
        kind_key="rfi_response",
        document=partner,
        received_on=TODAY,
        parts=inputs(partner, everything),
        decide=True,
    )
    assert withheld.decision == "withhold"
    with pytest.raises(ValidationError):
        services.handout_record(actor=actor(w), assessment=withheld, recipient="X", fmt="html")
    assert not SecrecyHandOut.objects.exists()


# --------------------------------------------------------------------------- the pages


def test_the_registrar_assesses_on_the_page(client, rfi_world):
    w, rfi, partner, _ = rfi_world
    login(client, w.user("owner", "procurement"), w.orgs["owner"])
    listing = client.get(reverse("sourcing:secrecy_list"))
    assert listing.status_code == 200
    create_url = reverse("sourcing:secrecy_create", args=["rfi_response", partner.pk])
    assert create_url in listing.content.decode()
    page = client.get(create_url)
    assert "konkurrensfördel" in page.content.decode()  # the sender's reasons, next to the part
    key = key_of(partner, "solution")
    data = {
        "requester_name": "Anna",
        "requester_organisation": "",
        "received_on": TODAY.isoformat(),
        "action": "decide",
    }
    data[f"part-{key}-secret"] = "on"
    data[f"part-{key}-legal_ground"] = "31:16"
    refused = client.post(create_url, data)
    assert refused.status_code == 200 and "Motivera sekretessen" in refused.content.decode()
    assert not SecrecyAssessment.objects.exists()
    data[f"part-{key}-motivation"] = "Metoden är en affärshemlighet."
    done = client.post(create_url, data)
    a = SecrecyAssessment.objects.get()
    assert done.status_code == 302 and done["Location"] == a.get_absolute_url()
    copy = client.get(reverse("sourcing:secrecy_copy", args=[a.pk])).content.decode()
    assert "Trygga Band" not in copy and PLACEHOLDER in copy and SECRET_PRICE in copy
    client.post(reverse("sourcing:secrecy_handout", args=[a.pk]), {"recipient": "Anna", "format": "html"})
    h = SecrecyHandOut.objects.get()
    got = client.get(reverse("sourcing:secrecy_handout_file", args=[a.pk, h.pk]))
    assert hashlib.sha256(got.content).hexdigest() == h.sha256
    assert b"Trygga Band" not in got.content


def test_a_respondent_cannot_assess_its_own_response(client, rfi_world):
    w, rfi, partner, _ = rfi_world
    login(client, w.user("partner", "procurement"), w.orgs["partner"])
    url = reverse("sourcing:secrecy_create", args=["rfi_response", partner.pk])
    assert client.get(url).status_code == 404

"""The market dialogue's services: publishing rules, the deadline, the receipt, atomic saves and who
sees what. Expected values are written out by hand (the receipt's hash is recomputed here from the
content as the docs describe it, not taken from the implementation)."""

from __future__ import annotations

import datetime
import hashlib
import json
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from insats.accounts.access import Actor
from insats.audit.models import AuditEntry
from insats.situation.models import Area, Indicator, Observation
from insats.sourcing.rfi import selectors, services
from insats.sourcing.rfi.models import ResponseStatus, Rfi, RfiAnswer, RfiResponse, RfiStatus
from tests.conftest import login

pytestmark = pytest.mark.django_db


def actor(world, org="owner", role="admin") -> Actor:
    return Actor(user=world.user(org, role), membership=world.membership(org, role))


def future(days=30):
    return timezone.now() + datetime.timedelta(days=days)


def published(world, **values) -> Rfi:
    rfi = services.rfi_create(
        actor=actor(world),
        organisation=world.orgs["owner"],
        values={"title": "Barn i riskzon", "deadline": future(), "is_public": True, **values},
    )
    services.questions_add_seed_set(actor=actor(world), rfi=rfi)
    return services.rfi_publish(actor=actor(world), rfi=rfi)


def test_the_seed_set_is_tomelillas_nine_questions_and_is_added_once(world):
    rfi = services.rfi_create(actor=actor(world), organisation=world.orgs["owner"], values={"title": "T"})
    added = services.questions_add_seed_set(actor=actor(world), rfi=rfi)
    assert len(added) == 9
    keys = [q.key for q in rfi.questions.all()]
    assert "outcome_payment" in keys and "pilot" in keys
    assert [q.order for q in rfi.questions.all()] == list(range(1, 10))
    assert rfi.questions.get(key="pilot").kind == "yesno"
    assert services.questions_add_seed_set(actor=actor(world), rfi=rfi) == []


def test_a_new_rfi_gets_the_default_secrecy_text_naming_osl(world):
    rfi = services.rfi_create(actor=actor(world), organisation=world.orgs["owner"], values={"title": "T"})
    assert "31 kap. 16 § OSL" in rfi.secrecy_info and "19 kap. 3 § OSL" in rfi.secrecy_info


def test_publishing_names_every_missing_part(world):
    rfi = services.rfi_create(
        actor=actor(world),
        organisation=world.orgs["owner"],
        values={"title": "T", "deadline": timezone.now() - datetime.timedelta(hours=1)},
    )
    Rfi.objects.filter(pk=rfi.pk).update(title="   ")
    with pytest.raises(ValidationError) as exc:
        services.rfi_publish(actor=actor(world), rfi=rfi)
    assert set(exc.value.message_dict) == {"title", "questions", "deadline"}
    assert "framtiden" in exc.value.message_dict["deadline"][0]
    assert Rfi.objects.get(pk=rfi.pk).status == RfiStatus.DRAFT


def test_publishing_a_complete_draft_and_closing_it(world):
    rfi = published(world)
    assert rfi.status == RfiStatus.PUBLISHED and rfi.published_at is not None
    assert AuditEntry.objects.filter(action="sourcing.rfi.published", object_id=str(rfi.pk)).exists()
    rfi = services.rfi_close(actor=actor(world), rfi=rfi)
    assert rfi.status == RfiStatus.CLOSED
    with pytest.raises(ValidationError):
        services.rfi_cancel(actor=actor(world), rfi=rfi)


def _answers(rfi, **by_key):
    return {rfi.questions.get(key=k).pk: v for k, v in by_key.items()}


def test_receipt_is_the_sha256_of_the_canonical_content_and_is_stable(
    world, django_capture_on_commit_callbacks
):
    rfi = published(world)
    org = world.orgs["unrelated"]
    who = actor(world, "unrelated", "admin")
    answers = _answers(rfi, needs={"text": "Trygga vuxna"}, pilot={"yes": True, "follow_up_text": ""})
    r = services.response_save(
        actor=who, rfi=rfi, organisation=org, values={"competences": "Familjestöd"}, answers=answers
    )
    with django_capture_on_commit_callbacks(execute=True):
        r = services.response_submit(actor=who, response=r)
    needs, pilot = rfi.questions.get(key="needs"), rfi.questions.get(key="pilot")
    blank = {"text": "", "choice": "", "scale_value": None, "yes": None, "follow_up_text": ""}
    expected = {
        "rfi": rfi.pk,
        "organisation": org.pk,
        "competences": "Familjestöd",
        "resources": "",
        "documents": [],
        "answers": [
            {
                **blank,
                "question": needs.pk,
                "key": "needs",
                "text": "Trygga vuxna",
                "secrecy_requested": False,
                "secrecy_reason": "",
            },
            {
                **blank,
                "question": pilot.pk,
                "key": "pilot",
                "yes": True,
                "secrecy_requested": False,
                "secrecy_reason": "",
            },
        ],
    }
    text = json.dumps(expected, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert r.receipt_sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert r.status == ResponseStatus.SUBMITTED and r.submitted_at is not None
    # The receipt by e-mail to the submitter: the time and the hash, no answers.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [world.user("unrelated", "admin").email]
    assert r.receipt_sha256 in mail.outbox[0].body and "Trygga vuxna" not in mail.outbox[0].body
    first = r.receipt_sha256
    # Submitting the same content again gives the same hash; a changed answer another one.
    r = services.response_submit(actor=who, response=r)
    assert r.receipt_sha256 == first
    r = services.response_save(
        actor=who, rfi=rfi, organisation=org, values={}, answers=_answers(rfi, needs={"text": "Annat"})
    )
    assert r.status == ResponseStatus.DRAFT  # a changed response must be submitted anew
    r = services.response_submit(actor=who, response=r)
    assert r.receipt_sha256 != first


def test_a_secrecy_request_needs_reasons_and_nothing_is_half_saved(world):
    rfi = published(world)
    org = world.orgs["unrelated"]
    answers = _answers(
        rfi,
        needs={"text": "Behov"},
        outcome_payment={
            "yes": True,
            "follow_up_text": "Vår modell",
            "secrecy_requested": True,
            "secrecy_reason": " ",
        },
    )
    with pytest.raises(ValidationError) as exc:
        services.response_save(
            actor=actor(world, "unrelated"),
            rfi=rfi,
            organisation=org,
            values={"competences": "X"},
            answers=answers,
        )
    q = rfi.questions.get(key="outcome_payment")
    assert list(exc.value.message_dict) == [f"q{q.pk}_secrecy_reason"]
    assert "Fråga 6" in exc.value.message_dict[f"q{q.pk}_secrecy_reason"][0]
    assert not RfiResponse.objects.filter(rfi=rfi).exists()
    assert not RfiAnswer.objects.exists()


def test_after_the_deadline_nothing_changes_and_the_attempt_is_audited(world):
    rfi = published(world)
    org = world.orgs["unrelated"]
    who = actor(world, "unrelated")
    r = services.response_save(
        actor=who, rfi=rfi, organisation=org, values={"competences": "Före"}, answers={}
    )
    r = services.response_submit(actor=who, response=services.response_for(rfi=rfi, organisation=org))
    Rfi.objects.filter(pk=rfi.pk).update(deadline=timezone.now() - datetime.timedelta(seconds=1))
    rfi.refresh_from_db()
    with pytest.raises(ValidationError, match="Sista svarsdag"):
        services.response_save(
            actor=who, rfi=rfi, organisation=org, values={"competences": "Efter"}, answers={}
        )
    r.refresh_from_db()
    with pytest.raises(ValidationError):
        services.response_withdraw(actor=who, response=r)
    r.refresh_from_db()
    assert r.competences == "Före" and r.status == ResponseStatus.SUBMITTED
    refused = AuditEntry.objects.filter(action="sourcing.rfi.response_refused", object_id=str(rfi.pk))
    assert [e.changes["attempt"] for e in refused.order_by("seq")] == ["save", "withdraw"]


def test_the_buyer_never_sees_a_draft_and_a_respondent_only_its_own(world):
    rfi = published(world)
    a, b = world.orgs["partner"], world.orgs["unrelated"]
    services.response_save(actor=None, rfi=rfi, organisation=a, values={"competences": "A"}, answers={})
    rb = services.response_save(actor=None, rfi=rfi, organisation=b, values={"competences": "B"}, answers={})
    buyer = actor(world, "owner", "procurement")
    assert list(selectors.responses_for(buyer, rfi)) == []
    services.response_submit(actor=None, response=rb)
    assert [r.organisation for r in selectors.responses_for(buyer, rfi)] == [b]
    assert [r.organisation for r in selectors.responses_for(actor(world, "partner"), rfi)] == [a]
    rb = services.response_withdraw(actor=None, response=RfiResponse.objects.get(pk=rb.pk))
    assert selectors.may_read_response(buyer, rb) and not selectors.may_read_content(buyer, rb)


def test_figures_are_read_live_from_the_lagesbild_with_their_source(world):
    rfi = services.rfi_create(actor=actor(world), organisation=world.orgs["owner"], values={"title": "T"})
    area = Area.objects.get(code="1270")
    ind = Indicator.objects.create(
        code="RFIT1", title_sv="Elever i åk 9 som är behöriga", unit="%", source="demo"
    )
    obs = Observation.objects.create(
        area=area, indicator=ind, period=2022, value="71.26", source="demo", source_label="Källa: Kolada"
    )
    services.figure_add(actor=actor(world), rfi=rfi, indicator=ind, area=area, period=None)
    [row] = selectors.figure_rows(rfi)
    assert (row.period, row.value_text, row.unit, row.source_line) == (2022, "71,3", "%", "Källa: Kolada")
    Observation.objects.filter(pk=obs.pk).update(value="68.5")
    assert selectors.figure_rows(rfi)[0].value_text == "68,5"
    with pytest.raises(ValidationError) as exc:
        services.figure_add(actor=actor(world), rfi=rfi, indicator=ind, area=area, period=2019)
    assert "period" in exc.value.message_dict


def test_the_public_page_shows_only_published_open_rfis(world):
    rfi = published(world)
    draft = services.rfi_create(
        actor=actor(world), organisation=world.orgs["owner"], values={"title": "Hemlig"}
    )
    c = Client()
    page = c.get(reverse("sourcing:rfi_public", args=[rfi.pk]))
    assert page.status_code == 200
    # Logged out, "Svara" leads to the login page and back to the respond page.
    assert urlencode({"next": reverse("sourcing:rfi_respond", args=[rfi.pk])}) in page.content.decode()
    assert c.get(reverse("sourcing:rfi_public", args=[draft.pk])).status_code == 404
    assert "Hemlig" not in c.get(reverse("sourcing:rfi_public_list")).content.decode()


def test_the_respond_page_names_the_missing_secrecy_reason(world):
    rfi = published(world)
    c = Client()
    login(c, world.user("unrelated", "admin"), world.orgs["unrelated"])
    q = rfi.questions.get(key="needs")
    page = c.post(
        reverse("sourcing:rfi_respond", args=[rfi.pk]),
        {f"q{q.pk}_text": "Svar", f"q{q.pk}_secrecy_requested": "on", "submit": "1"},
    )
    assert page.status_code == 200
    assert "Fråga 2: ange skälen för begäran om sekretess." in page.content.decode()
    assert not RfiResponse.objects.filter(rfi=rfi).exists()

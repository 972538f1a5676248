"""Test RFIs and responses made through the ORM (the RFI pages are another engineer's): Tomelilla
(the world's owner) asks; the partner (RISE) and the unrelated organisation answer."""

from __future__ import annotations

import datetime

from django.utils import timezone

from insats.sourcing.rfi.models import QuestionKind, Rfi, RfiAnswer, RfiQuestion, RfiResponse

SECRET_METHOD = "Vår metod Trygga Band bygger på tre hemliga moment: A, B och C."
SECRET_PRICE = "Timpris 1 150 kr, rabatt 12 % vid pilot."
PUBLIC_ANSWER = "Vi arbetar med skolor i Skåne sedan 2015."


def make_rfi(owner, *, title="Barn 6–10 år i riskzon", status="published") -> Rfi:
    rfi = Rfi.objects.create(
        organisation=owner,
        title=title,
        status=status,
        published_at=timezone.now(),
        deadline=timezone.now() + datetime.timedelta(days=30),
    )
    specs = [
        ("Beskriv er lösning.", QuestionKind.TEXT, "solution", {}),
        ("Vad kostar lösningen?", QuestionKind.TEXT, "price", {}),
        ("Är ni intresserade av ersättning efter sociala utfall?", QuestionKind.YESNO, "outcome_payment", {}),
        ("Vill ni delta i en pilot?", QuestionKind.YESNO, "pilot", {}),
        (
            "Vilken organisationsform har ni?",
            QuestionKind.CHOICE,
            "form",
            {"choices": ["Idéburen", "Företag"]},
        ),
    ]
    for i, (text, kind, key, extra) in enumerate(specs):
        RfiQuestion.objects.create(rfi=rfi, order=i, text=text, kind=kind, key=key, **extra)
    return rfi


def answer(rfi, org, *, solution, price, outcome, pilot, form, secret_keys=(), competences="", resources=""):
    response = RfiResponse.objects.create(
        rfi=rfi,
        organisation=org,
        status="submitted",
        submitted_at=timezone.now(),
        competences=competences,
        resources=resources,
    )
    q = {x.key: x for x in rfi.questions.all()}
    values = {
        "solution": {"text": solution},
        "price": {"text": price},
        "outcome_payment": {"yes": outcome},
        "pilot": {"yes": pilot},
        "form": {"choice": form},
    }
    for key, val in values.items():
        secret = key in secret_keys
        RfiAnswer.objects.create(
            response=response,
            question=q[key],
            secrecy_requested=secret,
            secrecy_reason="Affärshemlighet: metoden och priset är vår konkurrensfördel." if secret else "",
            **val,
        )
    return response


def build(w):
    """The RFI of the world's owner with two submitted responses; the partner's asks for secrecy
    on its solution and its price."""
    rfi = make_rfi(w.orgs["owner"])
    partner = answer(
        rfi,
        w.orgs["partner"],
        solution=SECRET_METHOD,
        price=SECRET_PRICE,
        outcome=True,
        pilot=True,
        form="Idéburen",
        secret_keys=("solution", "price"),
        competences="Forskare i utvecklingspsykologi",
        resources="Två heltidstjänster under piloten",
    )
    unrelated = answer(
        rfi,
        w.orgs["unrelated"],
        solution=PUBLIC_ANSWER,
        price="Enligt offert.",
        outcome=False,
        pilot=True,
        form="Företag",
        competences="Familjebehandlare",
    )
    return rfi, partner, unrelated

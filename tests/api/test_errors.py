"""Turning a service's ValidationError into the API's 422 body."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.test import RequestFactory

from insats.api import get_api
from insats.platform.api import _field_of, field_errors


def test_field_errors_renames_model_fields_and_keeps_whole_body_errors():
    exc = ValidationError({"partner": ["Redan partner."], "__all__": ["Något annat."], "note": ["För lång."]})
    errors = field_errors(exc, rename={"partner": "partner_id"}).errors
    assert {(e["loc"], e["msg"]) for e in errors} == {
        (("body", "payload", "partner_id"), "Redan partner."),
        (("body", "payload"), "Något annat."),
        (("body", "payload", "note"), "För lång."),
    }


def test_a_plain_validation_error_is_about_the_whole_body():
    errors = field_errors(ValidationError("Fel.")).errors
    assert errors == [{"loc": ("body", "payload"), "msg": "Fel.", "type": "value_error"}]


def test_locations_drop_the_parameter_name_only_for_the_body():
    assert _field_of(("body", "payload", "levels", 0, "level")) == ("body", "levels.0.level")
    assert _field_of(("body", "payload")) == ("body", "")
    assert _field_of(("query", "page")) == ("query", "page")
    assert _field_of(("path", "partnership_id")) == ("path", "partnership_id")


def test_the_handler_answers_422_with_field_names():
    api = get_api()
    request = RequestFactory().post("/api/v1/partnerships")
    exc = field_errors(ValidationError({"partner": ["Redan partner."]}), rename={"partner": "partner_id"})
    response = api.on_exception(request, exc)
    assert response.status_code == 422
    body = json.loads(response.content)
    assert body["code"] == "invalid"
    assert body["errors"] == [
        {"field": "partner_id", "location": "body", "message": "Redan partner.", "type": "value_error"}
    ]

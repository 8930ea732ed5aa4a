"""The API keeps the promises of its OpenAPI schema.

Schemathesis reads ``/api/schema/`` from the running app (pytest-django's
``live_server``), generates a few requests per operation from it, sends them
with the token of a Community Manager (who may call every operation) and
checks each answer: no server error, a status code the schema lists, the
content type it lists, a body that validates against the documented schema.
Deterministic (``derandomize``) and small (``max_examples``), so it runs in
``make test``; select it alone with ``-m schema_fuzz``. No operation is
excluded: the token endpoints too (each operation gets a fresh token, so
the revoke operation ends only its own).
"""

import io

import pytest
import requests
import schemathesis
from django.contrib.auth import get_user_model
from django.core.management import call_command
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from core.accounts.tokens import token_issue

pytestmark = [pytest.mark.schema_fuzz, pytest.mark.django_db(transaction=True)]

REVOKE = "/api/v1/auth/token/revoke/"


@schemathesis.check
def token_still_works(ctx, response, case):
    """The CM's token opens every operation: a 401 would hide every other check
    behind a documented status (only the revoke operation ends its own token)."""
    if response.status_code == 401 and case.operation.path != REVOKE:
        raise AssertionError(f"401 with a valid token: {response.text[:200]}")
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    token_still_works,
]
MAX_EXAMPLES = 4


@pytest.fixture
def cm(live_server, default_protocol, settings):
    """The demo's data (conversations in every state, teams, shifts, alerts,
    listening results), so answers have content to check; its CM."""
    settings.MOSTRADOR_2FA_REQUIRED_ROLES = []
    call_command("seed_demo", stdout=io.StringIO())
    return get_user_model().objects.get(username="cm")


def real_object_cases(operation, base_url: str, auth: dict):
    """GETs of objects that exist (random ids mostly find nothing): the first
    few items of the collection each detail path belongs to."""
    if operation.method.upper() != "GET":
        return
    if "{id}" not in operation.path:
        yield operation.Case()
        return
    collection = operation.path.split("{id}")[0]
    listing = requests.get(base_url + collection, headers=auth, timeout=30).json()
    assert isinstance(listing, list) or "results" in listing, (collection, listing)
    items = listing["results"] if isinstance(listing, dict) else listing
    for item in items[:3]:
        yield operation.Case(path_parameters={"id": item["id"]})


def generated_cases(operation, auth: dict):
    """A Hypothesis test sending ``MAX_EXAMPLES`` requests generated for ``operation``."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    def call(case):
        case.call_and_validate(headers=auth, checks=CHECKS)

    return call


def token_header(user) -> dict:
    key, _token = token_issue(user=user)
    return {"Authorization": f"Token {key}"}


def test_api_keeps_its_schema(live_server, cm):
    """Every operation, a few examples each; all the failures are reported together.

    Each operation gets a fresh token: the revoke endpoint is fuzzed too, and
    would otherwise end the token of every operation after it (whose 401s
    the schema documents, hiding everything else).
    """
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/", headers=token_header(cm))
    failures = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        auth = token_header(cm)

        call = generated_cases(operation, auth)
        try:
            for case in real_object_cases(operation, live_server.url, auth):
                case.call_and_validate(headers=auth, checks=CHECKS)
            call()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as failure:
            failures.append(f"{operation.label}:\n{failure}")
    assert operations > 50, "the schema lists fewer operations than the API has"
    assert not failures, f"{len(failures)} of {operations} operations break the schema:\n\n" + "\n\n".join(failures)

"""Property-based API testing: schemathesis over the OpenAPI schema.

Every operation of the schema is called in-process (WSGI) with generated
valid input, as a learner of cohort A and as its organisation's administrator
(the ``world`` fixture). Checked: no 5xx, every status code and content type
is documented, and every body matches its schema. Bounded: a few examples per
operation, derandomized so a run is repeatable; about a minute in all.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.config import SchemathesisConfig

EXAMPLES = 8

CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"mode": "positive", "max-examples": EXAMPLES},
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "checks": {
            "enabled": False,
            "not_a_server_error": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
        },
    }
)
schema = schemathesis.openapi.from_dict(
    SchemaGenerator().get_schema(request=None, public=True), config=CONFIG
)
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does: a request must not close the connection.

    The WSGI handler closes "old" connections when a request starts and ends;
    inside a test's transaction that closes the test's own (on PostgreSQL).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _headers(user) -> dict[str, str]:
    token, _ = Token.objects.get_or_create(user=user)
    # The WSGI transport does not gunzip: ask for plain bodies.
    return {"Authorization": f"Token {token.key}", "Accept-Encoding": "identity"}


HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@schema.parametrize()
@HYPOTHESIS
@pytest.mark.django_db
def test_the_api_keeps_to_its_schema_for_a_learner(case, world):
    case.call_and_validate(headers=_headers(world.learner))


@schema.parametrize()
@HYPOTHESIS
@pytest.mark.django_db
def test_the_api_keeps_to_its_schema_for_an_administrator(case, world):
    case.call_and_validate(headers=_headers(world.org_admin))

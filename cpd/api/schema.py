"""The error answers every API operation can give, in the OpenAPI schema.

drf-spectacular documents what a view returns when it succeeds. Every
operation can also refuse: 400 (field errors, or a bad query parameter), 403
(not signed in, or not allowed), 404 (not found, or not visible to this
person: another cohort's object is a 404, never a 403), 429 (rate limited,
with ``Retry-After``). They all come from ``cpd.api.exceptions`` in DRF's
shapes, so one post-processing hook documents them once for all operations,
and schemathesis can check the API against the schema (tests/ops).
"""

from __future__ import annotations

from typing import Any

ERROR = {
    "type": "object",
    "description": "What went wrong, in the reader's language.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
FIELD_ERRORS = {
    "type": "object",
    "description": (
        "Field errors: each field's name with a list of messages "
        "(non_field_errors or detail for the whole request)."
    ),
    "additionalProperties": True,
}
STANDARD = {
    "400": ("FieldErrors", "Bad input: what to correct, per field."),
    "403": ("Error", "Not signed in, or not allowed to do this."),
    "404": ("Error", "Not found, or not visible to you."),
    "429": ("Error", "Too many requests: try again after Retry-After seconds."),
}


def error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Add the standard error answers to each operation that does not name them.

    Also says what the URL resolver already holds: integer ids in a path are
    never negative.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("FieldErrors", FIELD_ERRORS)
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                # Django's <int:...> matches digits only: no negative id.
                if (
                    parameter.get("in") == "path"
                    and parameter.get("schema", {}).get("type") == "integer"
                ):
                    parameter["schema"].setdefault("minimum", 0)
            responses = operation.setdefault("responses", {})
            for status, (name, description) in STANDARD.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{name}"}
                            }
                        },
                    },
                )
    return result

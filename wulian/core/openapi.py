"""The API's error answers, documented on every operation of its OpenAPI document.

Every refusal has one shape, ``{"error": {"code", "message"}}`` (422 adds ``fields``); the
statuses come from the API's exception handlers: 400 a rule refused (`DomainError`), 401 no
valid sign-in or token, 403 not allowed, 404 not found or not visible, 409 a conflict, 422
input that does not match the schema.
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "stable, for programs"},
                "message": {"type": "string", "description": "for people, in their language"},
                "fields": {"description": "422 only: what did not match the schema"},
            },
        }
    },
}

ERRORS = {
    "400": "Refused by a rule (the code says which)",
    "401": "Sign in or send a valid API token",
    "403": "Not allowed",
    "404": "Not found, or not visible to you",
    "409": "In conflict with the current state",
    "422": "The input does not match the schema",
}


def document_errors(schema: Any) -> Any:
    """Add the error answers to every operation that does not document them already."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, description in ERRORS.items():
                if status == "401" and not operation.get("security"):
                    continue  # open to everyone: a bad token is never asked for
                operation["responses"].setdefault(
                    status, {"description": description, "content": reference}
                )
    return schema

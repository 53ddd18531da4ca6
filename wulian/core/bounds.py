"""Bounded integers: every number that comes in (an id, a page, a count) fits the database.

SQLite refuses a Python int beyond 64 bits (OverflowError), PostgreSQL one beyond its column's
type (``integer out of range``); both would be a 500. The API's schemas and query parameters
use `Id`, `Count` and `BoundedPagination`; views read numbers with `parse_int` (or a page's
filters with `query_int`, a 400 when out of range); forms choose
objects with this module's `ModelChoiceField` and `ModelMultipleChoiceField` and bound their
`IntegerField`s with ``max_value=MAX_INT``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.db.models import Model
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_ID = 2**63 - 1  # a BigAutoField key, on every database
MAX_INT = 2**31 - 1  # an IntegerField or PositiveIntegerField, on every database
MAX_PAGE = 100_000

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Count = Annotated[int, Field(ge=0, le=MAX_INT)]


def parse_int(raw: object, *, low: int = 0, high: int = MAX_ID) -> int | None:
    """A plain decimal number (ASCII digits) between low and high, or None.

    ``str.isdigit`` accepts "²" and "١", which ``int`` refuses or reads as another number;
    a filter or id read with this is either a number the database can hold, or absent."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not text or len(text) > 20 or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if low <= value <= high else None


def query_int(params: Mapping[str, str], name: str, *, high: int = MAX_ID) -> int | None:
    """A number filter of a page (``?region=12``): None when absent or blank; a 400 (not a 500)
    when it is not a number the database can hold."""
    raw = params.get(name, "")
    if not raw.strip():
        return None
    value = parse_int(raw, high=high)
    if value is None:
        raise BadRequest(f"{name}: not a number in range")
    return value


class BoundedPagination(PageNumberPagination):
    """Ninja's page numbers, with an upper bound (``?page=576460752303423488`` is a 422)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_INT)


def _bounded_key(field: forms.ModelChoiceField[Any], value: Any) -> None:
    """A choice by primary key must be a number the database can hold, or it is not a choice."""
    if field.to_field_name is not None or isinstance(value, Model):
        return
    if value not in field.empty_values and parse_int(str(value)) is None:
        raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice")


class ModelChoiceField(forms.ModelChoiceField[Any]):
    """Django's, refusing an id beyond the database's range as an invalid choice (not a 500)."""

    def to_python(self, value: Any) -> Any:
        _bounded_key(self, value)
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField[Any]):
    """Django's, refusing ids beyond the database's range as invalid choices (not a 500)."""

    def _check_values(self, value: Any) -> Any:
        for key in value if isinstance(value, list | tuple) else [value]:
            if (
                self.to_field_name is None
                and not isinstance(key, Model)
                and parse_int(str(key)) is None
            ):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": key},
                )
        return super()._check_values(value)  # type: ignore[misc]

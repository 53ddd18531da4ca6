"""Date, time and datetime inputs render what browsers accept, in every language."""

from __future__ import annotations

import datetime
import importlib
import inspect
import pkgutil
from typing import Any

import pytest
from django import forms
from django.utils import timezone, translation

import wulian
from wulian.core.widgets import HTML_INPUTS, DateInput, DateTimeInput, TimeInput

LANGUAGES = ["zh-hans", "zh-hant", "en"]


def _form_classes() -> list[type[forms.BaseForm]]:
    found: list[type[forms.BaseForm]] = []
    for module in pkgutil.walk_packages(wulian.__path__, "wulian."):
        if not module.name.endswith(".forms"):
            continue
        loaded = importlib.import_module(module.name)
        for _, cls in inspect.getmembers(loaded, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == loaded.__name__:
                found.append(cls)
    return found


def test_it_finds_the_forms_it_checks() -> None:
    names = {cls.__name__ for cls in _form_classes()}
    assert {"NeedForm", "ResourceForm", "AgreementForm", "WhistleForm", "EventForm"} <= names


@pytest.mark.parametrize("form_class", _form_classes(), ids=lambda cls: cls.__qualname__)
def test_it_gives_every_date_and_time_field_an_html_input(form_class: type[Any]) -> None:
    for name, field in form_class.base_fields.items():
        if isinstance(field, forms.DateField | forms.TimeField | forms.DateTimeField):
            assert isinstance(field.widget, HTML_INPUTS), f"{form_class.__name__}.{name}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_renders_dates_times_and_moments_in_the_html_formats(language: str) -> None:
    class Form(forms.Form):
        day = forms.DateField(widget=DateInput())
        hour = forms.TimeField(widget=TimeInput())
        moment = forms.DateTimeField(widget=DateTimeInput())

    moment = datetime.datetime(2027, 4, 1, 6, 30, tzinfo=datetime.UTC)
    initial = {"day": datetime.date(2027, 4, 1), "hour": datetime.time(9, 30), "moment": moment}
    with translation.override(language), timezone.override("Asia/Shanghai"):
        html = str(Form(initial=initial))
        bound = Form({"day": "2027-04-01", "hour": "09:30", "moment": "2027-04-01T14:30"})
        assert bound.is_valid(), bound.errors
    assert 'type="date"' in html and 'value="2027-04-01"' in html
    assert 'type="time"' in html and 'value="09:30"' in html
    # Stored in UTC, shown and typed in the community's time zone.
    assert 'type="datetime-local"' in html and 'value="2027-04-01T14:30"' in html
    assert bound.cleaned_data == initial

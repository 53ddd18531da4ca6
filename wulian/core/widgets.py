"""Date and time inputs that round-trip in every language.

A browser's `<input type="date">` accepts only `2027-04-01`, `type="time"` only `14:30`
(seconds optional) and `type="datetime-local"` only `2027-04-01T14:30`. Django renders a
widget's value with the first of the active language's input formats, which for Chinese is
`2027/04/01`: the browser rejects it, shows an empty field, and saving the form untouched
erases the value. These widgets always render the HTML formats, whatever the language; the
fields still read every format the language accepts (and the ISO ones the browser sends).
Every form uses them for its date, time and datetime fields (a test walks the forms).
"""

from __future__ import annotations

from typing import Any

from django import forms

HTML_DATE = "%Y-%m-%d"
HTML_TIME = "%H:%M"
HTML_DATETIME = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=HTML_DATE)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=HTML_TIME)


class DateTimeInput(forms.DateTimeInput):
    """A local date and time; the field turns it into the current time zone's moment."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=HTML_DATETIME)


HTML_INPUTS = (DateInput, TimeInput, DateTimeInput)

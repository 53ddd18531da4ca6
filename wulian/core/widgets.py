"""Form widgets: date and time inputs that round-trip in every language, and a picker.

Dates and times.

A browser's `<input type="date">` accepts only `2027-04-01`, `type="time"` only `14:30`
(seconds optional) and `type="datetime-local"` only `2027-04-01T14:30`. Django renders a
widget's value with the first of the active language's input formats, which for Chinese is
`2027/04/01`: the browser rejects it, shows an empty field, and saving the form untouched
erases the value. These widgets always render the HTML formats, whatever the language; the
fields still read every format the language accepts (and the ISO ones the browser sends).
Every form uses them for its date, time and datetime fields (a test walks the forms).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms

from wulian.core.text import fold, to_traditional

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


class PickerCheckboxes(forms.CheckboxSelectMultiple):
    """Many checkboxes in named groups, with a search box: a whistle's 38 units, grouped by
    kind. `group(instance)` names each option's group (groups keep the order of the choices);
    `search(instance)` is the text the box looks in, in both scripts. Without JavaScript it is
    a plain grouped list; with it (wulian/app.js) typing narrows the list and the count of
    chosen options shows above it."""

    template_name = "core/widgets/picker.html"

    def __init__(
        self,
        group: Callable[[Any], str],
        search: Callable[[Any], str] = str,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(attrs)
        self.group = group
        self.search = search

    def optgroups(
        self, name: str, value: list[Any], attrs: dict[str, Any] | None = None
    ) -> list[tuple[str | None, list[dict[str, Any]], int | None]]:
        groups: dict[str, list[dict[str, Any]]] = {}
        chosen = {str(v) for v in value}
        for index, (option_value, label) in enumerate(self.choices):
            instance = getattr(option_value, "instance", option_value)
            selected = str(option_value) in chosen
            option = self.create_option(
                name, option_value, str(label), selected, index, attrs=attrs
            )
            text = fold(f"{self.search(instance)} {label}")  # simplified, half-width, lower case
            option["search"] = f"{text} {to_traditional(text)}"
            groups.setdefault(str(self.group(instance)), []).append(option)
        return [(group, options, index) for index, (group, options) in enumerate(groups.items())]

"""Form fields the form runner needs beyond Django's: a GOV.UK date input and UK phone numbers."""

import datetime
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class DatePartsWidget(forms.MultiWidget):
    """Day, month and year boxes (the GOV.UK date input pattern)."""

    template_name = "forms/widgets/date_parts.html"
    use_fieldset = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__([forms.TextInput(), forms.TextInput(), forms.TextInput()], attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        if isinstance(value, str) and value:
            try:
                day = datetime.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
            return [day.day, day.month, day.year]
        return [None, None, None]


class DatePartsField(forms.MultiValueField):
    """A date from day, month and year boxes, with GOV.UK error messages naming `noun`."""

    widget = DatePartsWidget

    def __init__(self, *, noun: str, **kwargs: Any) -> None:
        self.noun = noun
        parts = (forms.CharField(required=False),) * 3
        super().__init__(parts, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[Any]) -> datetime.date | None:
        if not data_list or not any((part or "").strip() for part in data_list):
            return None
        day, month, year = ((part or "").strip() for part in data_list)
        missing = [
            name
            for name, part in ((_("a day"), day), (_("a month"), month), (_("a year"), year))
            if not part
        ]
        if missing:
            raise ValidationError(
                _("%(noun)s must include %(parts)s")
                % {"noun": self.noun[:1].upper() + self.noun[1:], "parts": _(" and ").join(missing)}
            )
        try:
            if len(year) != 4:
                raise ValueError
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(
                _("%(noun)s must be a real date") % {"noun": self.noun[:1].upper() + self.noun[1:]}
            ) from None


PHONE = re.compile(r"^0\d{9,10}$")


def normalise_uk_phone(text: str) -> str | None:
    """A UK phone number as digits starting 0, or None if it is not one."""
    digits = re.sub(r"[\s\-()]", "", text or "")
    if digits.startswith("+44"):
        digits = "0" + digits[3:].removeprefix("0")
    elif digits.startswith("0044"):
        digits = "0" + digits[4:].removeprefix("0")
    return digits if PHONE.match(digits) else None

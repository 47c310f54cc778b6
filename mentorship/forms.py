"""Form helpers every app shares."""

import copy
from datetime import date

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError next to the field it is about (a rule the service
    enforces, e.g. a status transition, shows like any other field error); errors about no
    field of this form, or about none at all, go on top of the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# The dates the app handles: schedules, eligibility and reports do date arithmetic (adding
# weeks, months, years) that overflows near year 1 and 9999; no date of the field lies outside.
EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2100, 12, 31)
# The widest integer column we have (PostgreSQL integer); a bare IntegerField gets this range.
INTEGER_MIN, INTEGER_MAX = -(2**31), 2**31 - 1


def validate_date_in_range(value) -> None:
    day = value.date() if hasattr(value, "date") else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="date_out_of_range",
            params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
        )


def bound_fields(form: forms.BaseForm) -> None:
    """Dates within EARLIEST_DATE..LATEST_DATE; integers without bounds within the column."""
    for field in form.fields.values():
        if isinstance(field, forms.DateField | forms.DateTimeField):
            # Idempotent: the import's row forms share one set of field objects across every
            # row (accounts.forms_records), and appending per form grew each field's validator
            # list by one per row, which made a 50,000-row import quadratic.
            if validate_date_in_range not in field.validators:
                field.validators.append(validate_date_in_range)
            if isinstance(field, forms.DateField):
                field.widget.attrs.setdefault("min", EARLIEST_DATE.isoformat())
                field.widget.attrs.setdefault("max", LATEST_DATE.isoformat())
        elif isinstance(field, forms.IntegerField):
            if field.max_value is None:
                field.max_value = INTEGER_MAX
                field.validators.append(MaxValueValidator(INTEGER_MAX))
                field.widget.attrs.setdefault("max", INTEGER_MAX)
            if field.min_value is None:
                field.min_value = INTEGER_MIN
                field.validators.append(MinValueValidator(INTEGER_MIN))
                field.widget.attrs.setdefault("min", INTEGER_MIN)


class BoundedForm(forms.Form):
    """The Form every app uses: dates and integers bounded as in `bound_fields`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_fields(self)


class BoundedModelForm(forms.ModelForm):
    """The ModelForm every app uses: an invalid form never reaches the view's object, and a
    number is bounded by the form with what its model field (and database column) can hold.

    - Django's ModelForm writes the posted values onto its instance before the model's own
      validation runs, so after a failed is_valid() the view's object held the invalid values
      (a program with min_recovery_months=30000 broke the date arithmetic of the page it
      re-rendered: a 500). The form works on a copy of the instance; the services apply
      cleaned_data to the real one.
    - A model field's Min/MaxValueValidators (Django adds the column's range to integer fields)
      become the form field's own bounds: the field error comes first and the page's number
      input carries min/max. Dates are bounded as in `bound_fields`.
    """

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, instance=copy.copy(instance), **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
                _bound_by_model(field, self._meta.model, name)
        bound_fields(self)


def _bound_by_model(field: forms.Field, model, name: str) -> None:
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return
    for validator in model_field.validators:
        if not isinstance(validator, MinValueValidator | MaxValueValidator):
            continue
        limit = (
            validator.limit_value() if callable(validator.limit_value) else validator.limit_value
        )
        if isinstance(validator, MaxValueValidator):
            if field.max_value is None or limit < field.max_value:
                field.max_value = limit
                field.widget.attrs["max"] = limit
        elif field.min_value is None or limit > field.min_value:
            field.min_value = limit
            field.widget.attrs["min"] = limit
        field.validators.append(validator)

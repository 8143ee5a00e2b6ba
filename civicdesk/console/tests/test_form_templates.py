"""Our form-field templates give Django forms GOV.UK markup."""

import re

from django import forms

from civicdesk.console.forms import GovukFormMixin


class ExampleForm(GovukFormMixin, forms.Form):
    name = forms.CharField(label="Full name", help_text="As on a council tax bill")
    colour = forms.ChoiceField(choices=[("", "Choose"), ("red", "Red")])
    size = forms.ChoiceField(choices=[("s", "Small"), ("l", "Large")], widget=forms.RadioSelect)
    extras = forms.MultipleChoiceField(
        choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple, required=False
    )
    agree = forms.BooleanField(label="I agree")
    notes = forms.CharField(widget=forms.Textarea)


def test_an_unbound_form():
    html = str(ExampleForm())

    assert '<label class="govuk-label govuk-label--s" for="id_name">Full name</label>' in html
    assert '<div class="govuk-hint" id="id_name_helptext">As on a council tax bill</div>' in html
    assert 'class="govuk-input" aria-describedby="id_name_helptext"' in html
    assert 'class="govuk-select"' in html
    assert '<div class="govuk-radios" data-module="govuk-radios">' in html
    assert 'class="govuk-radios__input"' in html
    assert '<label class="govuk-label govuk-radios__label" for="id_size_0">Small</label>' in html
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Size</legend>' in html
    assert 'class="govuk-checkboxes__input"' in html
    assert 'class="govuk-textarea"' in html
    assert "required" not in html  # no browser pop-ups: the server explains
    assert ":</label>" not in html


def test_a_form_with_errors():
    form = ExampleForm(data={})
    form.is_valid()
    html = str(form)

    assert html.count("govuk-form-group--error") == 5
    assert 'class="govuk-input govuk-input--error"' in html
    assert 'class="govuk-select govuk-select--error"' in html
    assert 'class="govuk-textarea govuk-textarea--error"' in html
    assert re.search(
        r'<p class="govuk-error-message" id="id_name_error">'
        r'<span class="govuk-visually-hidden">Error:</span> This field is required.</p>',
        html,
    )
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert '<fieldset class="govuk-fieldset" aria-describedby="id_size_error">' in html
    assert "govuk-radios__input--error" not in html

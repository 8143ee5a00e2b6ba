"""Building forms and eligibility rules in the admin, with no code.

A form's versions are listed on the form; a version's pages on the version; a page's questions
on the page. Published versions are read-only: "Start a new draft" copies one to change it.
"""

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from civicdesk.forms import services
from civicdesk.forms.definition import check_version
from civicdesk.forms.models import (
    EligibilityRules,
    Form,
    FormPage,
    FormQuestion,
    FormVersion,
    VersionStatus,
)

CHOICES_HELP = _(
    'For choice questions, one choice a line as "key | Label", e.g. "higher | Higher rate". '
    "The key is what conditions and rules use."
)


def _is_draft(obj: Any) -> bool:
    version = obj if isinstance(obj, FormVersion) else getattr(obj, "version", None)
    return obj is None or version is None or version.status == VersionStatus.DRAFT


def choices_to_text(choices: Any) -> str:
    return "\n".join(f"{c.get('key', '')} | {c.get('label', '')}" for c in choices or [])


def text_to_choices(text: str) -> list[dict[str, str]]:
    choices = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        key, bar, label = line.partition("|")
        if not bar:
            raise ValidationError(_('Write each choice as "key | Label"'))
        choices.append({"key": key.strip(), "label": label.strip()})
    return choices


class FormQuestionForm(forms.ModelForm):
    choices_text = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 40}),
        help_text=CHOICES_HELP,
    )

    class Meta:
        model = FormQuestion
        fields = [
            "order",
            "code",
            "kind",
            "label",
            "hint",
            "required",
            "choices_text",
            "minimum",
            "maximum",
            "show_if",
        ]
        help_texts = {
            "order": _("Questions show in this order on the page."),
            "code": _(
                "Names the answer for conditions and rules: letters, digits and underscores, "
                "starting with a letter, e.g. date_of_birth."
            ),
            "kind": _("What kind of answer: text, a date, a choice, a file and so on."),
            "label": _('The question or the name of the answer, e.g. "Date of birth".'),
            "hint": _("Help shown under the label."),
            "required": _("Untick if the question may be left unanswered."),
            "minimum": _(
                "Numbers: the smallest allowed. Text: the fewest characters. Dates: years from "
                "today (e.g. -120)."
            ),
            "maximum": _(
                "Numbers: the largest allowed. Text: the most characters. Dates: years from "
                "today (0 for a date in the past)."
            ),
            "show_if": _(
                "Ask only when this condition on earlier answers holds, e.g. has_pip == True. "
                "Leave empty to always ask."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["choices_text"] = choices_to_text(self.instance.choices)

    def clean_choices_text(self) -> list[dict[str, str]]:
        return text_to_choices(self.cleaned_data.get("choices_text", ""))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        page = getattr(self.instance, "page", None) if self.instance.page_id else None
        if page is not None and not _is_draft(page):
            raise ValidationError(_("This version has been published and cannot be changed."))
        return cleaned

    def save(self, commit: bool = True) -> FormQuestion:
        self.instance.choices = self.cleaned_data.get("choices_text") or []
        return super().save(commit)


class FrozenWhenPublished:
    """Inlines and pages of a published version cannot be changed."""

    def has_change_permission(self, request, obj=None):
        return _is_draft(obj) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        if isinstance(self, admin.options.InlineModelAdmin):
            return _is_draft(obj) and super().has_add_permission(request, obj)
        return super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return _is_draft(obj) and super().has_delete_permission(request, obj)


class FormQuestionInline(FrozenWhenPublished, admin.StackedInline):
    model = FormQuestion
    form = FormQuestionForm
    extra = 0


class FormPageInline(FrozenWhenPublished, admin.TabularInline):
    model = FormPage
    fields = ["number", "title", "hint", "show_if"]
    extra = 0
    show_change_link = True


class FormVersionInline(admin.TabularInline):
    model = FormVersion
    fields = ["number", "status", "fee_pence", "published_at"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Form)
class FormAdmin(admin.ModelAdmin):
    list_display = ["title", "service", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["title"]
    inlines = [FormVersionInline]
    actions = ["start_new_draft"]
    fields = ["organisation", "service", "title", "slug", "summary", "is_active"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.create_form(
            actor=request.user,
            organisation=obj.organisation,
            service=obj.service,
            title=obj.title,
            slug=obj.slug,
            summary=obj.summary,
        )
        obj.pk = created.pk
        obj.refresh_from_db()

    @admin.action(description=_("Start a new draft"))
    def start_new_draft(self, request, queryset):
        for form in queryset:
            draft = services.new_draft(actor=request.user, form=form)
            self.message_user(
                request, _("%(version)s is the draft to change.") % {"version": draft}
            )


@admin.register(FormVersion)
class FormVersionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "fee_pence", "eligibility_code", "published_at"]
    list_filter = ["status"]
    inlines = [FormPageInline]
    actions = ["check_draft", "publish", "start_new_draft"]
    fields = [
        "form",
        "number",
        "status",
        "fee_pence",
        "grant_valid_for_days",
        "eligibility_code",
        "published_at",
        "published_by",
    ]
    readonly_fields = ["number", "status", "published_at", "published_by"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != VersionStatus.DRAFT:
            return self.fields
        if obj is not None:
            return [*self.readonly_fields, "form"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            services.change_draft(
                actor=request.user,
                version=obj,
                **{
                    name: form.cleaned_data[name]
                    for name in services.VERSION_FIELDS
                    if name in form.cleaned_data
                },
            )
            return
        draft = services.new_draft(actor=request.user, form=obj.form)
        obj.pk, obj.number = draft.pk, draft.number

    @admin.action(description=_("Check this draft"))
    def check_draft(self, request, queryset):
        for version in queryset:
            problems = check_version(version)
            if not problems:
                self.message_user(request, _("%(version)s has no problems.") % {"version": version})
            for problem in problems:
                self.message_user(request, f"{version}: {problem}", level=messages.ERROR)

    @admin.action(description=_("Publish"))
    def publish(self, request, queryset):
        for version in queryset:
            try:
                services.publish_version(actor=request.user, version=version)
            except ValidationError as error:
                for problem in error.messages:
                    self.message_user(request, f"{version}: {problem}", level=messages.ERROR)
            else:
                self.message_user(request, _("%(version)s is published.") % {"version": version})

    @admin.action(description=_("Start a new draft"))
    def start_new_draft(self, request, queryset):
        for form_id in set(queryset.values_list("form", flat=True)):
            draft = services.new_draft(actor=request.user, form=Form.objects.get(pk=form_id))
            self.message_user(
                request, _("%(version)s is the draft to change.") % {"version": draft}
            )


@admin.register(FormPage)
class FormPageAdmin(FrozenWhenPublished, admin.ModelAdmin):
    list_display = ["__str__", "version"]
    inlines = [FormQuestionInline]
    fields = ["version", "number", "title", "hint", "show_if"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "version" in form.base_fields:
            form.base_fields["version"].queryset = FormVersion.objects.filter(
                status=VersionStatus.DRAFT
            )
            form.base_fields["version"].help_text = _("Only draft versions can be changed.")
        for name, text in {
            "number": _("Pages show in this order."),
            "title": _("The page's heading."),
            "hint": _("Help shown under the heading."),
            "show_if": _("Show the page only when this condition on earlier answers holds."),
        }.items():
            if name in form.base_fields:
                form.base_fields[name].help_text = text
        return form


class RulesForm(forms.ModelForm):
    definition = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 30, "cols": 100, "style": "font-family: monospace"}),
        help_text=_("The rule set as JSON: requirements, rules with outcomes and reasons."),
    )

    class Meta:
        model = EligibilityRules
        fields = ["organisation", "code", "title", "source", "definition"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and "definition" in self.fields:
            self.initial["definition"] = json.dumps(self.instance.definition, indent=2)

    def clean_definition(self) -> dict[str, Any]:
        from civicdesk.forms.rules import check_rule_set

        text = self.cleaned_data["definition"]
        try:
            definition = json.loads(text)
        except ValueError as error:
            raise ValidationError(
                _("The rules are not valid JSON: %(error)s") % {"error": error}
            ) from None
        if not isinstance(definition, dict):
            raise ValidationError(_("The rules must be a JSON object."))
        problems = check_rule_set(definition)
        if problems:
            raise ValidationError(problems)
        return definition


@admin.register(EligibilityRules)
class EligibilityRulesAdmin(admin.ModelAdmin):
    form = RulesForm
    list_display = ["title", "code", "version", "status", "published_at"]
    list_filter = ["status"]
    actions = ["publish"]

    def has_change_permission(self, request, obj=None):
        draft = obj is None or obj.status == VersionStatus.DRAFT
        return draft and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        rules = services.save_rules(
            actor=request.user,
            organisation=form.cleaned_data["organisation"],
            code=form.cleaned_data["code"],
            title=form.cleaned_data["title"],
            source=form.cleaned_data.get("source", ""),
            definition=form.cleaned_data["definition"],
        )
        obj.pk = rules.pk
        obj.version = rules.version

    @admin.action(description=_("Publish"))
    def publish(self, request, queryset):
        for rules in queryset:
            try:
                services.publish_rules(actor=request.user, rules=rules)
            except ValidationError as error:
                for problem in error.messages:
                    self.message_user(request, f"{rules}: {problem}", level=messages.ERROR)
            else:
                self.message_user(request, _("%(rules)s are published.") % {"rules": rules})

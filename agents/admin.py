"""AI Agents: the agent page with its Communication channels card, Start/Stop and logs."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from . import agent_log, lifecycle, spoken_lines
from .channels import AgentPage, agent_inlines, agent_pages, registered
from .forms import SPOKEN_LINE_FIELDS, AgentForm
from .models import Agent, AgentLogEntry, ScriptedAnswer
from .state_badge import badge


class ScriptedAnswerInline(admin.TabularInline):
    """The scripted engine's question/answer pairs, edited on the agent's page."""

    model = ScriptedAnswer
    extra = 1
    fields = ["question", "keywords", "answer"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}}
    verbose_name = "scripted answer"
    verbose_name_plural = "Scripted answers (scripted engine)"


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    form = AgentForm
    inlines = [ScriptedAnswerInline]  # after the channels' cards (get_inlines)
    list_display = ["name", "state_badge", "channels", "max_opened_sessions", "open_sessions", "updated_at"]
    search_fields = ["name"]
    actions = ["start_agents", "stop_agents"]
    change_form_template = "admin/agents/agent_form.html"
    readonly_fields = ["state_badge", "prepared_answers_stats"]
    fieldsets = [
        (None, {"fields": ["name", "state_badge", "greeting"]}),
        ("Conversation", {"fields": ["engine", "fallback_line", "error_line", "goodbye_line", "goodbye_phrases"]}),
        (
            "Built-in lines",
            {
                "classes": ["collapse"],
                "description": "What the channel itself says on a call. Left empty, a line is said as shown "
                "greyed, translated into the language of the connection's voice "
                f"({', '.join(spoken_lines.languages())}; other languages hear English). "
                "Your wording is said as written, whatever the language.",
                "fields": list(SPOKEN_LINE_FIELDS),
            },
        ),
        (
            "LLM engine",
            {
                "classes": ["collapse"],
                "fields": ["llm_base_url", "llm_api_key", "llm_model", "llm_system_prompt", "llm_timeout_seconds"],
            },
        ),
        ("Answers prepared while the caller speaks", {"fields": ["prepared_answers_stats"]}),
        # The product document sends administrators here: "Max opened sessions … see Advanced mode".
        ("Advanced mode", {"classes": ["collapse", "advanced-mode"], "fields": ["max_opened_sessions"]}),
    ]

    class Media:
        js = ["agents/agent_menu.js"]

    @admin.display(description="State", ordering="state")
    def state_badge(self, obj):
        return badge(obj.state, obj.get_state_display()) if obj.pk else "—"

    @admin.display(description="Channels")
    def channels(self, obj):
        names = [f"{a.connection.name}{' (inbound)' if a.inbound else ''}" for a in obj.attachments.all()]
        return ", ".join(names) or "—"

    @admin.display(description="Open sessions")
    def open_sessions(self, obj):
        return obj.sessions.filter(state__in=["dialing", "open"]).count()

    @admin.display(description="Prepared answers")
    def prepared_answers_stats(self, obj):
        total = obj.prepared_hits + obj.prepared_misses
        if not total:
            if obj.engine == Agent.Engine.SCRIPTED:
                return "Not used: the scripted engine answers at once."
            return "No turns yet."
        rate = 100 * obj.prepared_hits // total
        return (
            f"{obj.prepared_hits} hits (prepared while the caller spoke, served at once), "
            f"{obj.prepared_misses} misses (made fresh after the caller finished): {rate}% hits"
        )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("attachments__connection")

    @method_decorator(sensitive_post_parameters("llm_api_key"))
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        own = [
            path("<int:agent_id>/start/", self.admin_site.admin_view(self.start_view), name="agents_agent_start"),
            path("<int:agent_id>/stop/", self.admin_site.admin_view(self.stop_view), name="agents_agent_stop"),
            path("<int:agent_id>/logs/", self.admin_site.admin_view(self.logs_view), name="agents_agent_logs"),
        ]
        # The channels' pages (Test call, Place a call…), before the catch-all object URLs of super().
        for page in agent_pages():
            own.append(path(page.route, self.admin_site.admin_view(self._channel_view(page)), name=page.name))
        return own + super().get_urls()

    def _back_to_agent(self, agent_id):
        return redirect(reverse("admin:agents_agent_change", args=[agent_id]))

    def start_view(self, request, agent_id):
        return self._lifecycle_action(
            request, agent_id, lifecycle.start_agent, "started. Its Twilio numbers are being registered."
        )

    def stop_view(self, request, agent_id):
        return self._lifecycle_action(request, agent_id, lifecycle.stop_agent, "stopped. Its numbers are offline.")

    def _lifecycle_action(self, request, agent_id, action, outcome: str):
        agent = get_object_or_404(Agent, pk=agent_id)
        if request.method == "POST" and self.has_change_permission(request, agent):
            problems = action(agent.id) or []
            if problems:
                for problem in problems:
                    messages.warning(request, f"Agent “{agent.name}”: {problem}")
            else:
                messages.success(request, f"Agent “{agent.name}” {outcome}")
        return self._back_to_agent(agent_id)

    def _channel_view(self, page: AgentPage):
        def view(request, **url_kwargs):
            return page.view(self, request, **url_kwargs)

        return view

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The Communication channels card's dropdown: every channel plugged into the registry.
        context["channel_kinds"] = registered()
        if obj is not None and obj.pk:
            context["channel_buttons"] = [
                {"label": page.button, "id": page.button_id, "url": reverse(f"admin:{page.name}", args=[obj.pk])}
                for page in agent_pages()
                if page.button
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def logs_view(self, request, agent_id):
        agent = get_object_or_404(Agent, pk=agent_id)
        # The logs show webhook URLs (with the connection key) and callers' numbers: the agent page's right.
        if not self.has_view_permission(request, agent):
            raise PermissionDenied
        tabs = [(channel.kind, channel.label) for channel in registered()]  # one tab per channel, in app order
        tab = request.GET.get("tab") or (tabs[0][0] if tabs else "")
        entries = AgentLogEntry.objects.filter(agent=agent, channel_kind=tab)[:500]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Logs · {agent.name}",
            "agent": agent,
            "opts": self.model._meta,
            "tabs": tabs,
            "tab": tab,
            "entries": entries,
        }
        return TemplateResponse(request, "admin/agents/logs.html", context)

    @admin.action(description="Start agent")
    def start_agents(self, request, queryset):
        problems = [(agent, lifecycle.start_agent(agent.id)) for agent in queryset]
        for agent, agent_problems in problems:
            for problem in agent_problems:
                self.message_user(request, f"Agent “{agent.name}”: {problem}", messages.WARNING)
        self.message_user(request, f"Started {queryset.count()} agent(s).", messages.SUCCESS)

    @admin.action(description="Stop agent")
    def stop_agents(self, request, queryset):
        for agent in queryset:
            lifecycle.stop_agent(agent.id)
        self.message_user(request, f"Stopped {queryset.count()} agent(s).", messages.SUCCESS)

    def get_inlines(self, request, obj):
        """Every registered channel's card (Communication channels) first, then the agent's own."""
        return [*agent_inlines(), *super().get_inlines(request, obj)]

    def save_formset(self, request, form, formset, change):
        # A channel's inline may say what detaching one of its lines means (the agent's log keeps it).
        detached_message = next(
            (getattr(inline, "detached_message", None) for inline in agent_inlines() if inline.model is formset.model),
            None,
        )
        if detached_message:
            for deleted in formset.deleted_forms:
                if deleted.instance.pk:
                    agent_log.warning(deleted.instance.agent_id, detached_message(deleted.instance))
        super().save_formset(request, form, formset, change)

    def delete_model(self, request, obj):
        lifecycle.stop_agent(obj.id)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for agent in queryset:
            lifecycle.stop_agent(agent.id)
        super().delete_queryset(request, queryset)

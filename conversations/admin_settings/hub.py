"""The assistant's settings as cards of the "Configurações" screen (secretaria/panel/settings_screen.py)."""

from datetime import datetime, time

from django.utils import timezone

from conversations.admin_settings import selectors
from conversations.admin_settings.llm import llm_call_totals
from conversations.assistant.llm import llm_config_get
from conversations.assistant.models import CompanyProfile, LLMConfig
from conversations.assistant.weekly_hours import spans_of_business_hours, week_summary
from conversations.channels.registry import channel_spec
from secretaria.panel.settings_screen import SettingEntry, Status, setting_entries


def _tone(request) -> Status:
    profile = selectors.profile_stored()
    if profile is None:
        return Status("Padrão (Ana, neutro)", "")
    traits = [CompanyProfile.Formality(profile.formality).label.split(" (")[0].lower()]
    traits += [word for word, on in (("empática", profile.empathy), ("bem-humorada", profile.humour),
                                     ("com emojis", profile.emoji)) if on]
    return Status(f"{profile.assistant_name}: {', '.join(traits)}")


def _opening_hours(request) -> Status:
    profile = selectors.profile_stored()
    summary = week_summary(spans_of_business_hours(profile.business_hours if profile else {}))
    if not summary:
        return Status("Não definido: a assistente diz que atende a qualquer hora", "warn")
    return Status(summary)


def _knowledge(request) -> Status:
    count = selectors.knowledge_active_count()
    return Status(f"{count} resposta(s) ativa(s)") if count else Status("Nenhuma resposta cadastrada", "warn")


def _channels(request) -> Status:
    kinds = selectors.channels_enabled_by_kind()
    if not kinds:
        return Status("Nenhum canal ativo: ninguém recebe as mensagens", "bad")
    if set(kinds) == {"sandbox"}:
        return Status("Só o simulador: nenhum WhatsApp real conectado", "warn")
    labels = [(channel_spec(kind).label if channel_spec(kind) else kind) for kind in sorted(kinds)]
    return Status(f"{sum(kinds.values())} ativo(s): {', '.join(labels)}")


def _llm(request) -> Status:
    config = llm_config_get()
    if config.provider == LLMConfig.Provider.LOCAL:
        return Status("Motor offline (sem serviço de IA)", "")
    return Status(" · ".join(filter(None, [config.get_provider_display(), config.model])))


def _llm_costs(request) -> Status:
    month = timezone.localdate().replace(day=1)
    totals = llm_call_totals(selectors.llm_calls_since(timezone.make_aware(datetime.combine(month, time(0)))))
    return Status(f"Este mês: {totals['cost']} em {totals['calls']} chamada(s)", "")


for _entry in (
    SettingEntry("tone", "Tom e prévia", "Como a assistente fala: formalidade, empatia, humor e emojis. Teste "
                 "a resposta a uma mensagem antes de salvar.", "Atendimento",
                 "tenant_admin:conversations_companyprofile_current", "conversations.view_companyprofile",
                 _tone, order=10),
    SettingEntry("opening_hours", "Horário de atendimento", "Os dias e horários em que a empresa abre, com o "
                 "almoço: o que a assistente responde quando perguntam.", "Atendimento",
                 "tenant_admin:conversations_companyprofile_current", "conversations.view_companyprofile",
                 _opening_hours, order=20),
    SettingEntry("knowledge", "Base de conhecimento", "Perguntas frequentes, endereço e políticas que a "
                 "assistente usa para responder.", "Atendimento", "tenant_admin:conversations_knowledgeitem_changelist",
                 "conversations.view_knowledgeitem", _knowledge, order=30),
    SettingEntry("channels", "Canais de WhatsApp", "Os números da empresa, o endereço (webhook) a informar ao "
                 "provedor e o teste de conexão.", "Conexões", "tenant_admin:conversations_channel_changelist",
                 "conversations.view_channel", _channels, order=10),
    SettingEntry("llm", "Inteligência artificial", "O serviço de IA que escreve as respostas livres (ou o motor "
                 "offline) e o teste de conexão.", "Conexões", "tenant_admin:conversations_llmconfig_current",
                 "conversations.view_llmconfig", _llm, order=20),
    SettingEntry("llm_costs", "Custos de IA", "Cada chamada ao serviço de IA, com tokens e custo em reais.",
                 "Conexões", "tenant_admin:conversations_llmcall_changelist", "conversations.view_llmcall",
                 _llm_costs, order=30),
):
    setting_entries.register(_entry)

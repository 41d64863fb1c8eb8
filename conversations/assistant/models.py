"""How the assistant speaks (profile), what it knows (knowledge base), which model words it, and its calls."""

from django.db import models

from secretaria.crypto import EncryptedTextField


class CompanyProfile(models.Model):
    """How the assistant speaks and when the company works. One row per company."""

    class Formality(models.TextChoices):
        INFORMAL = "informal", "Informal (você, descontraído)"
        NEUTRAL = "neutral", "Neutro"
        FORMAL = "formal", "Formal (o senhor / a senhora)"

    class State(models.TextChoices):
        """The federative units, for the state holidays the assistant knows."""

        AC = "AC", "Acre"
        AL = "AL", "Alagoas"
        AP = "AP", "Amapá"
        AM = "AM", "Amazonas"
        BA = "BA", "Bahia"
        CE = "CE", "Ceará"
        DF = "DF", "Distrito Federal"
        ES = "ES", "Espírito Santo"
        GO = "GO", "Goiás"
        MA = "MA", "Maranhão"
        MT = "MT", "Mato Grosso"
        MS = "MS", "Mato Grosso do Sul"
        MG = "MG", "Minas Gerais"
        PA = "PA", "Pará"
        PB = "PB", "Paraíba"
        PR = "PR", "Paraná"
        PE = "PE", "Pernambuco"
        PI = "PI", "Piauí"
        RJ = "RJ", "Rio de Janeiro"
        RN = "RN", "Rio Grande do Norte"
        RS = "RS", "Rio Grande do Sul"
        RO = "RO", "Rondônia"
        RR = "RR", "Roraima"
        SC = "SC", "Santa Catarina"
        SP = "SP", "São Paulo"
        SE = "SE", "Sergipe"
        TO = "TO", "Tocantins"

    singleton = models.PositiveSmallIntegerField("registro único", default=1, unique=True, editable=False)
    assistant_name = models.CharField("nome da assistente", max_length=60, default="Ana")
    formality = models.CharField("formalidade", max_length=16, choices=Formality.choices,
                                 default=Formality.NEUTRAL)
    empathy = models.BooleanField("empatia explícita", default=True)
    humour = models.BooleanField("bom humor", default=False)
    emoji = models.BooleanField("usa emojis", default=False)
    # {"0": [["08:00", "12:00"], ["13:00", "18:00"]], ...}: Monday is "0"; a missing day is closed.
    business_hours = models.JSONField("horário de atendimento", default=dict, blank=True)
    out_of_hours_message = models.TextField("mensagem fora do horário", blank=True)
    # Holidays are closed days unless the company says it opens on them; its own days off are the agenda's.
    opens_on_holidays = models.BooleanField("abre em feriados", default=False,
                                            help_text="Desmarcado: a assistente diz que não abrimos nos feriados.")
    state = models.CharField("estado (UF)", max_length=2, choices=State.choices, blank=True,
                             help_text="Para a assistente conhecer também os feriados estaduais.")
    handoff_timeout_minutes = models.PositiveSmallIntegerField(
        "minutos até oferecer retorno (atendimento humano)", default=15)
    updated_at = models.DateTimeField("atualizado em", auto_now=True)

    class Meta:
        verbose_name = "perfil de atendimento"
        verbose_name_plural = "perfil de atendimento"

    def __str__(self) -> str:
        return self.assistant_name


class KnowledgeItem(models.Model):
    """One fact of the company the assistant may answer from (services and prices are the agenda's)."""

    class Kind(models.TextChoices):
        FAQ = "faq", "Pergunta frequente"
        ADDRESS = "address", "Endereço"
        HOURS = "hours", "Horário"
        POLICY = "policy", "Política"
        OTHER = "other", "Outro"

    kind = models.CharField("tipo", max_length=16, choices=Kind.choices, default=Kind.FAQ)
    title = models.CharField("pergunta ou título", max_length=200)
    answer = models.TextField("resposta")
    keywords = models.CharField("palavras-chave", max_length=300, blank=True,
                                help_text="Separadas por vírgula; ajudam a encontrar esta resposta.")
    is_active = models.BooleanField("ativo", default=True)
    updated_at = models.DateTimeField("atualizado em", auto_now=True)

    class Meta:
        verbose_name = "item de conhecimento"
        verbose_name_plural = "base de conhecimento"
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.title


class LLMConfig(models.Model):
    """Which language model answers for the company. `local` needs no account."""

    class Provider(models.TextChoices):
        LOCAL = "local", "Local (offline)"
        GEMINI = "gemini", "Google Gemini"
        OPENAI = "openai", "OpenAI ou compatível (Ollama, vLLM...)"

    singleton = models.PositiveSmallIntegerField("registro único", default=1, unique=True, editable=False)
    provider = models.CharField("provedor", max_length=16, choices=Provider.choices, default=Provider.LOCAL)
    model = models.CharField("modelo", max_length=100, blank=True)
    api_key = EncryptedTextField("chave de API", blank=True)
    base_url = models.URLField("URL base", blank=True)
    updated_at = models.DateTimeField("atualizado em", auto_now=True)

    class Meta:
        verbose_name = "configuração de IA"
        verbose_name_plural = "configuração de IA"

    def __str__(self) -> str:
        return self.get_provider_display()


class LLMCall(models.Model):
    """One call to a language model, for token accounting and quotas."""

    created_at = models.DateTimeField("quando", auto_now_add=True, db_index=True)
    provider = models.CharField("provedor", max_length=16)
    model = models.CharField("modelo", max_length=100, blank=True)
    conversation = models.ForeignKey("conversations.Conversation", on_delete=models.SET_NULL, null=True, blank=True,
                                     verbose_name="conversa")
    input_tokens = models.PositiveIntegerField("tokens de entrada", default=0)
    output_tokens = models.PositiveIntegerField("tokens de saída", default=0)
    latency_ms = models.PositiveIntegerField("tempo de resposta (ms)", default=0)
    outcome = models.CharField("resultado", max_length=16)  # ok, blocked, error, fallback, breaker_open

    class Meta:
        verbose_name = "chamada de IA"
        verbose_name_plural = "chamadas de IA"

    def __str__(self) -> str:
        return f"{self.provider} {self.outcome} ({self.input_tokens}+{self.output_tokens})"

"""A/B tests on a template slot: the test, its 2-4 wordings, who saw which (exposures) and who then did
what the test is judged on (conversions).

Exposures and conversions are written by the database's unique indexes, never by a read-then-write:
one exposure per (test, contact) makes a contact's wording sticky and a retried reply harmless, and one
conversion per exposure makes a redelivered event harmless.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from templates.replies.catalogue import slot_get

__all__ = ["Conversion", "Experiment", "ExperimentVariant", "Exposure"]
MIN_VARIANTS, MAX_VARIANTS = 2, 4
MAX_WINDOW_HOURS = 24 * 90


class Experiment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Rascunho"
        RUNNING = "running", "Em andamento"
        PAUSED = "paused", "Pausado"
        STOPPED = "stopped", "Encerrado"

    class Outcome(models.TextChoices):
        REPLIED = "replied", "Cliente respondeu"
        BOOKED = "booked", "Agendou (padrão: em até 24 h)"
        REMINDER_CONFIRMED = "reminder_confirmed", "Confirmou pelo lembrete"
        ATTENDED = "attended", "Compareceu"
        PROMOTER = "promoter", "Nota do acompanhamento ≥ 9"

    class StopReason(models.TextChoices):
        NONE = "", "—"
        MANUAL = "manual", "Encerrado pela equipe"
        AUTO = "auto", "Encerrado automaticamente (vencedora clara)"

    name = models.CharField("nome", max_length=120, blank=True)
    slot = models.CharField("momento", max_length=64)
    variant = models.CharField("variação do momento", max_length=32, blank=True, default="",
                               help_text="Vazio: o texto principal do momento.")
    status = models.CharField("situação", max_length=16, choices=Status.choices, default=Status.DRAFT)
    epsilon = models.FloatField("ε (exploração)", default=0.1,
                                validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
                                help_text="Chance de sortear uma variação ao acaso; no resto, a de melhor taxa.")
    outcome = models.CharField("resultado medido", max_length=32, choices=Outcome.choices)
    window_hours = models.PositiveIntegerField(
        "janela (horas)", default=24, validators=[MinValueValidator(1), MaxValueValidator(MAX_WINDOW_HOURS)],
        help_text="Conta o resultado se acontecer até tantas horas depois de o cliente ver o texto.")
    auto_stop = models.BooleanField("encerrar automaticamente", default=False)
    auto_stop_threshold = models.FloatField(
        "probabilidade mínima de ser a melhor", default=0.95,
        validators=[MinValueValidator(0.5), MaxValueValidator(0.999)])
    auto_stop_min_exposures = models.PositiveIntegerField(
        "amostra mínima por variação", default=100, validators=[MinValueValidator(1)],
        help_text="Só encerra quando cada variação foi vista por ao menos tantos clientes.")
    winner = models.ForeignKey("templates.ExperimentVariant", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name="vencedora")
    stop_reason = models.CharField("como terminou", max_length=16, choices=StopReason.choices, blank=True,
                                   default=StopReason.NONE)
    created_by = models.CharField("criado por", max_length=254, blank=True)
    created_at = models.DateTimeField("criado em", auto_now_add=True)
    started_at = models.DateTimeField("iniciado em", null=True, blank=True)
    stopped_at = models.DateTimeField("encerrado em", null=True, blank=True)

    class Meta:
        verbose_name = "teste A/B"
        verbose_name_plural = "testes A/B"
        ordering = ["-created_at", "-id"]
        constraints = [
            # The chooser asks "the running test of this slot": there can be only one.
            models.UniqueConstraint(fields=["slot", "variant"], condition=Q(status="running"),
                                    name="experiment_one_running_per_slot"),
            models.CheckConstraint(condition=Q(epsilon__gte=0.0, epsilon__lte=1.0), name="experiment_epsilon_0_1"),
            models.CheckConstraint(condition=Q(window_hours__gte=1, window_hours__lte=MAX_WINDOW_HOURS),
                                   name="experiment_window_hours_range"),
        ]

    def __str__(self) -> str:
        return self.name or f"Teste A/B #{self.pk} ({self.slot_label})"

    @property
    def slot_label(self) -> str:
        """The moment as the admin names it ("Saudação"), with its variant ("Saudação · formal")."""
        try:
            label = slot_get(self.slot).label
        except LookupError:  # a slot the catalogue no longer has: its name is all there is
            label = self.slot
        return f"{label} · {self.variant}" if self.variant else label


class ExperimentVariant(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="variants",
                                   verbose_name="teste A/B")
    position = models.PositiveSmallIntegerField("ordem")
    text = models.TextField("texto")

    class Meta:
        verbose_name = "variação do teste"
        verbose_name_plural = "variações do teste"
        ordering = ["experiment", "position"]
        constraints = [models.UniqueConstraint(fields=["experiment", "position"], name="experiment_variant_position")]

    def __str__(self) -> str:
        return f"Variação {self.label}"

    @property
    def label(self) -> str:
        return "ABCDEFGH"[self.position] if self.position < 8 else str(self.position + 1)


class Exposure(models.Model):
    """A contact was shown one of a test's wordings (the first time; later renders reuse it)."""

    # No index of its own: the two below start with the experiment.
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="exposures", db_index=False,
                                   verbose_name="teste A/B")
    contact = models.ForeignKey("conversations.Contact", on_delete=models.CASCADE, related_name="+",
                                verbose_name="contato")
    variant = models.ForeignKey(ExperimentVariant, on_delete=models.CASCADE, related_name="exposures",
                                verbose_name="variação")
    at = models.DateTimeField("visto em")

    class Meta:
        verbose_name = "exposição"
        verbose_name_plural = "exposições"
        constraints = [models.UniqueConstraint(fields=["experiment", "contact"], name="exposure_once_per_contact")]
        indexes = [models.Index(fields=["experiment", "variant"], name="exposure_experiment_variant")]

    def __str__(self) -> str:
        return f"contato {self.contact_id} viu a variação {self.variant_id} do teste {self.experiment_id}"


class Conversion(models.Model):
    """The exposed contact did what the test is judged on, within its window (at most once per exposure)."""

    exposure = models.OneToOneField(Exposure, on_delete=models.CASCADE, related_name="conversion",
                                    verbose_name="exposição")
    at = models.DateTimeField("quando")
    event = models.CharField("evento", max_length=64)  # the domain event's name, e.g. AppointmentBooked

    class Meta:
        verbose_name = "conversão"
        verbose_name_plural = "conversões"

    def __str__(self) -> str:
        return f"conversão da exposição {self.exposure_id} ({self.event})"

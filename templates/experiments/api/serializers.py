"""Input and output of /api/abtests. The rules (2-4 variants, the slot's variables, one running test per
slot) are the services'; these only shape and type the bodies."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from templates.experiments.models import MAX_WINDOW_HOURS, Experiment, ExperimentVariant

OUTCOME_HELP = ("O que conta como sucesso: " + "; ".join(f"`{value}` = {label}" for value, label
                                                           in Experiment.Outcome.choices) + ".")


class AbTestVariantInputSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=8192,
                                 help_text="O texto desta variação, na linguagem dos modelos ({nome}, `---` entre "
                                           "alternativas); só as variáveis do momento.")


class AbTestAutoStopInputSerializer(serializers.Serializer):
    threshold = serializers.FloatField(
        default=0.95, min_value=0.5, max_value=0.999,
        help_text="Encerra quando uma variação tem ao menos esta probabilidade de ser a melhor.",
        error_messages={"min_value": "A probabilidade para encerrar deve ficar entre 0,5 e 0,999.",
                        "max_value": "A probabilidade para encerrar deve ficar entre 0,5 e 0,999."})
    min_exposures = serializers.IntegerField(
        default=100, min_value=1, max_value=1_000_000,
        help_text="...e cada variação foi vista por ao menos tantos clientes.",
        error_messages={"min_value": "A amostra mínima por variação deve ser ao menos 1.",
                        "max_value": "A amostra mínima por variação é de no máximo 1.000.000."})


class AbTestInputSerializer(serializers.Serializer):
    slot = serializers.CharField(max_length=64, help_text="O momento (ex.: `greeting`), como em GET /api/templates.")
    variant = serializers.CharField(max_length=32, required=False, allow_blank=True, default="",
                                    help_text="Variação do momento (ex.: `formal`); vazio = o texto principal.")
    name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    variants = AbTestVariantInputSerializer(many=True, help_text="De 2 a 4 textos diferentes.")
    epsilon = serializers.FloatField(
        required=False, default=0.1, min_value=0.0, max_value=1.0,
        help_text="Chance (0 a 1) de sortear uma variação ao acaso; no resto, a de melhor taxa até agora.",
        error_messages={"min_value": "ε deve ficar entre 0 e 1.", "max_value": "ε deve ficar entre 0 e 1."})
    outcome = serializers.ChoiceField(
        choices=Experiment.Outcome.choices, help_text=OUTCOME_HELP,
        error_messages={"invalid_choice": "Resultado desconhecido: “{input}”. Os válidos são: "
                                          + ", ".join(Experiment.Outcome.values) + "."})
    window_hours = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_WINDOW_HOURS,
        help_text="Horas depois de ver o texto em que o resultado ainda conta (padrão: 24; 72 para lembrete "
                  "confirmado; 720 para comparecimento e nota).",
        error_messages={"min_value": f"A janela deve ficar entre 1 e {MAX_WINDOW_HOURS} horas.",
                        "max_value": f"A janela deve ficar entre 1 e {MAX_WINDOW_HOURS} horas."})
    auto_stop = AbTestAutoStopInputSerializer(required=False, allow_null=True, default=None,
                                              help_text="Encerrar sozinho e aplicar a vencedora ao modelo; "
                                                        "nulo ou ausente = não encerrar sozinho.")


class AbTestStopInputSerializer(serializers.Serializer):
    winner = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1,
                                      help_text="Id da variação vencedora: seu texto passa a ser o do modelo.")


class AbTestVariantSerializer(serializers.ModelSerializer):
    label = serializers.CharField(help_text="A, B, C ou D.")

    class Meta:
        model = ExperimentVariant
        fields = ["id", "label", "text"]


class AbTestAutoStopSerializer(serializers.Serializer):
    threshold = serializers.FloatField()
    min_exposures = serializers.IntegerField()


class AbTestSerializer(serializers.ModelSerializer):
    variants = AbTestVariantSerializer(many=True)
    auto_stop = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display")
    outcome_label = serializers.CharField(source="get_outcome_display")

    class Meta:
        model = Experiment
        fields = ["id", "name", "slot", "variant", "status", "status_label", "epsilon", "outcome", "outcome_label",
                  "window_hours", "auto_stop", "variants", "winner", "stop_reason", "created_by", "created_at",
                  "started_at", "stopped_at"]

    @extend_schema_field(AbTestAutoStopSerializer(allow_null=True))
    def get_auto_stop(self, experiment: Experiment) -> dict | None:
        if not experiment.auto_stop:
            return None
        return {"threshold": experiment.auto_stop_threshold, "min_exposures": experiment.auto_stop_min_exposures}


class AbTestResultVariantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    text = serializers.CharField()
    exposures = serializers.IntegerField(help_text="Clientes que viram esta variação.")
    conversions = serializers.IntegerField(help_text="Desses, quantos tiveram o resultado dentro da janela.")
    rate = serializers.FloatField(allow_null=True, help_text="conversions / exposures; nulo sem exposições.")
    interval = serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2, allow_null=True,
                                     help_text="Intervalo de 95 % da taxa (Wilson), [mínimo, máximo]; nulo sem "
                                               "exposições.")
    p_best = serializers.FloatField(allow_null=True, help_text="Probabilidade de ser a melhor (posterior Beta); "
                                                               "nulo enquanto ninguém foi exposto.")
    winner = serializers.BooleanField()


class AbTestResultsSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slot = serializers.CharField()
    variant = serializers.CharField()
    status = serializers.ChoiceField(choices=Experiment.Status.choices)
    outcome = serializers.ChoiceField(choices=Experiment.Outcome.choices)
    window_hours = serializers.IntegerField()
    exposures = serializers.IntegerField()
    conversions = serializers.IntegerField()
    winner = serializers.IntegerField(allow_null=True)
    variants = AbTestResultVariantSerializer(many=True)


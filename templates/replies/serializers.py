"""Input and output of /api/templates. The rules of a text are the services' (one place for the API and
the admin); these only shape the JSON."""

from rest_framework import serializers

from templates.replies.catalogue import slots

_VARIANT_HELP = ("Variação do modelo (por sentimento, formalidade ou canal), como listada em GET /api/templates; "
                 "vazio ou ausente: o texto principal.")


def _variant(**kwargs) -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, default="", max_length=64, help_text=_VARIANT_HELP,
                                 **kwargs)


class TemplateSerializer(serializers.Serializer):
    """One slot (or one variant of it) as the company has it."""

    slot = serializers.CharField(help_text="Nome estável do modelo (snake_case), o mesmo no código e na API.")
    variant = serializers.CharField(help_text="Vazio: o texto principal do modelo; senão, o nome da variação.")
    label = serializers.CharField(help_text="Nome do modelo para as pessoas.")
    moment = serializers.CharField(help_text="Grupo em que o modelo é listado (Agenda, Atendimento...).")
    help = serializers.SerializerMethodField(help_text="Quando o texto é enviado.")
    text = serializers.CharField(help_text="O que o cliente recebe hoje: o texto da empresa, ou o padrão.")
    default_text = serializers.CharField(help_text="O texto padrão, enviado quando a empresa não tem o seu.")
    variables = serializers.ListField(child=serializers.CharField(),
                                      help_text="As únicas variáveis que o texto pode usar, como {nome}.")
    customized = serializers.BooleanField(help_text="Se a empresa tem o seu texto nesta variação do modelo.")

    def get_help(self, entry: dict) -> str:
        found = slots().get(entry["slot"])
        return found.help if found else ""


class TemplateInputSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, help_text=(
        "O novo texto: até 4.096 caracteres, só as variáveis do modelo ({nome}...), “{{” e “}}” para uma chave "
        "literal, e alternativas separadas por uma linha só com ---."))
    variant = _variant()


class TemplateResetSerializer(serializers.Serializer):
    variant = _variant()


class TemplatePreviewInputSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True,
                                 help_text="Um texto ainda não salvo (validado como ao salvar); ausente: o atual.")
    variant = _variant()


class TemplatePreviewSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="O texto preenchido com os dados de exemplo (a primeira alternativa).")
    alternatives = serializers.ListField(child=serializers.CharField(),
                                         help_text="Cada alternativa do texto, preenchida, na ordem.")
    sample = serializers.DictField(child=serializers.CharField(), help_text="Os dados de exemplo usados.")

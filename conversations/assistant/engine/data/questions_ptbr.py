"""How customers word a question around the thing they ask about, as tables for `engine/knowledge.py`.

The knowledge search scores a question by how much of it the company's FAQs and services cover,
and a word no item uses counts against a match ("quanto custa o laser?" must not find the
"limpeza de pele"). Words that only carry the conversation ("me passa", "moça", "tem problema",
"vocês tratam", "na testa") would count against every match too: they are forgiven, but only
when no item of the company uses them (a salon's "Tratamento capilar" still matches on
"tratamento"). Words customers use for a thing the company names otherwise are mapped to the
usual word. Keys are normalised words (engine/normalize.py); adding a wording is adding a row,
not an `if`.
"""

# Verbs, forms of address and fillers that say nothing about what is asked.
FILLER_WORDS: frozenset[str] = frozenset("""
passa passar passe manda mandar mande envia enviar envie informa informar explica explicar explique diz dizer
fala falar fale conta contar conte ve ver veja olha olhar
moca moco querida querido amiga amigo senhora senhor minha filha flor linda lindo dona
problema problemas precisa precisam precisaria necessario necessaria antes depois primeiro
trata tratam tratar tratamento tratamentos cuidam cuidar resolve resolvem resolver
tira tirar tiram remove remover acaba acabar melhora melhorar
cobra cobram cobrar cobrado cobrada cobrando ta esta estao fica ficam ficaria sai saem seria sera
procedimento procedimentos servico servicos coisa coisas
aceita aceitam aceitar aceito aceitaria
politica politicas regra regras norma normas pago pagar pagaria pagarei pagamos
atualmente hoje agora mesmo ainda ai la aqui cade deus nossa leva levar ontem mandei mensagem mensagens
prezados prezadas prezado prezada solicito solicitamos solicitar nome sessao sessoes vezes
indica indicam indicar recomenda recomendam recomendar sugere sugerem quem
sou uns umas ainda todos todas mes ano semana taxa direto
uai oxe oxente bah tche visse eita vixe mano mermao irmao brother vei veio velho bicho ne tipo sumida sumido egua
rosto testa olhos olho nariz queixo bochecha bochechas pescoco colo maos mao pernas perna costas
""".split())

# A customer's word -> the word FAQs and catalogues usually use for the same thing.
SYNONYMS: dict[str, str] = {
    "garagem": "estacionamento", "estacionar": "estacionamento", "vallet": "estacionamento",
    "multa": "cancelamento", "tolerancia": "atraso", "atrasar": "atraso", "atrasada": "atraso", "atrasado": "atraso",
    "desmarcar": "cancelar", "desmarco": "cancelar", "desmarcacao": "cancelamento",
    "medica": "doutora", "medico": "doutor", "dermatologista": "dermatologica", "dermato": "dermatologica",
    "sala": "endereco", "predio": "endereco", "andar": "endereco",
    "espinhas": "acne", "espinha": "acne",
}

# Idioms -> the plain words an FAQ would use ("em cima da hora" is "without notice").
PHRASES: dict[str, str] = {
    "sul america": "sulamerica", "consulta antes": "avaliacao previa", "avaliacao antes": "avaliacao previa",
    "passar antes pela medica": "avaliacao previa", "passar antes na medica": "avaliacao previa",
    "hoje em dia": "", "de vez em quando": "",
    "em cima da hora": "sem antecedencia", "de ultima hora": "sem antecedencia", "na ultima hora": "sem antecedencia",
    "chegar atrasado": "atraso", "chegar atrasada": "atraso", "se eu atrasar": "atraso",
    "furar o horario": "falta", "nao aparecer": "falta",
}

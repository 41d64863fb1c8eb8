"""How Brazilians write on WhatsApp, as lookup tables for `engine/normalize.py`.

Keys are accent-folded lower case words (what `secretaria.ptbr.fold` returns); values are the
standard spelling the intent patterns and the knowledge search are written against. Adding a
spelling customers use is adding a row here, not an `if` in the engine.
"""

# Abbreviations and internet spellings, one word in -> one or more words out.
ABBREVIATIONS: dict[str, str] = {
    # pronouns and "you"
    "vc": "voce", "vcs": "voces", "voceis": "voces", "vcis": "voces", "oce": "voce", "ce": "voce",
    "cmg": "comigo", "ctg": "contigo", "nois": "nos", "ngm": "ninguem", "alg": "alguem", "algm": "alguem",
    "qro": "quero", "qria": "queria", "qr": "quer", "gsotaria": "gostaria",
    # question words
    "q": "que", "oq": "o que", "oque": "o que", "pq": "por que", "pk": "por que", "porq": "por que",
    "qnd": "quando", "qdo": "quando", "qndo": "quando", "qd": "quando",
    "qto": "quanto", "qnto": "quanto", "qnt": "quanto", "qt": "quanto", "quantu": "quanto", "cuanto": "quanto",
    "qts": "quantos", "qtos": "quantos", "qntos": "quantos", "qtas": "quantas", "qntas": "quantas",
    "ql": "qual", "qlq": "qualquer", "qlqr": "qualquer", "qq": "qualquer", "aonde": "onde", "kd": "cade",
    # yes, no, agreement
    "n": "nao", "naum": "nao", "nn": "nao", "ss": "sim", "blz": "beleza", "bls": "beleza", "vlw": "valeu",
    "vlww": "valeu", "flw": "falou", "tmj": "estamos juntos", "dboa": "de boa", "concerteza": "com certeza",
    "ctz": "certeza", "vdd": "verdade", "tlg": "ta ligado", "sla": "sei la",
    # politeness
    "obg": "obrigado", "obgd": "obrigado", "obgda": "obrigada", "obrigadu": "obrigado", "brigadu": "brigado",
    "pfv": "por favor", "pfvr": "por favor", "pf": "por favor", "pls": "por favor", "plz": "por favor",
    "porfavor": "por favor", "bjs": "beijos", "bjo": "beijo", "abs": "abracos", "att": "atenciosamente",
    # common words
    "tb": "tambem", "tbm": "tambem", "tmb": "tambem", "tbem": "tambem", "msm": "mesmo", "mt": "muito",
    "mto": "muito", "mta": "muita", "mts": "muitos", "mtas": "muitas", "td": "tudo", "tds": "todos",
    "nd": "nada", "dps": "depois", "agr": "agora", "hj": "hoje", "amnh": "amanha", "amn": "amanha",
    "dnv": "de novo", "msg": "mensagem", "msgs": "mensagens", "aki": "aqui", "intao": "entao", "entt": "entao",
    "derrepente": "de repente", "agente": "a gente", "tava": "estava", "to": "estou", "tô": "estou",
    "vamo": "vamos", "iae": "e ai", "eai": "e ai", "eh": "e", "mds": "meu deus",
    # business words
    "agnd": "agendar", "agd": "agendar", "agend": "agendar", "hr": "horas", "hrs": "horas", "h": "horas",
    "min": "minutos", "mins": "minutos", "tel": "telefone", "cel": "celular", "end": "endereco",
    "info": "informacao", "infos": "informacoes", "zap": "whatsapp", "zapzap": "whatsapp", "wpp": "whatsapp",
    "whats": "whatsapp", "insta": "instagram", "dr": "doutor", "dra": "doutora", "fds": "fim de semana",
    "sab": "sabado", "dom": "domingo", "seg": "segunda", "qui": "quinta", "sex": "sexta", "feriadao": "feriado",
    "cc": "cartao de credito",
}

# Misspellings that fuzzy matching would miss (too short, or nearer another real word).
MISSPELLINGS: dict[str, str] = {
    "orario": "horario", "oraio": "horario", "horaio": "horario", "orarios": "horarios", "hrario": "horario",
    "presso": "preco", "prexo": "preco", "valo": "valor", "vlr": "valor", "vl": "valor",
    "emdereco": "endereco", "endereso": "endereco", "enderesso": "endereco", "ederesso": "endereco",
    "presiso": "preciso", "nescessito": "necessito", "presisava": "precisava",
    "cosulta": "consulta", "comsulta": "consulta", "cunsulta": "consulta", "consuta": "consulta",
    "ajendar": "agendar", "ajenda": "agenda",
    "canselar": "cancelar",
    "rimarcar": "remarcar",
    "estacionameto": "estacionamento", "istacionamento": "estacionamento",
    "atendende": "atendente", "atendenti": "atendente", "robot": "robo",
    "pagamentu": "pagamento",
    "piks": "pix", "pics": "pix", "bolleto": "boleto",
    "obrigadao": "obrigado", "brigadao": "brigado", "brigadinha": "brigada", "obrigadinha": "obrigada",
}

# Number words and unambiguous ordinals -> digits ("fico com a terceira" -> "fico com a 3").
# "um"/"uma" are articles far more often than numbers; "segunda", "quarta", "quinta" and "sexta"
# are weekdays far more often than ordinals ("pode ser na quarta"): those stay words, and the agenda
# reads a choice among them from its own context.
NUMBERS: dict[str, str] = {
    "dois": "2", "duas": "2", "tres": "3", "quatro": "4", "cinco": "5", "seis": "6", "sete": "7", "oito": "8",
    "nove": "9", "dez": "10", "onze": "11", "doze": "12", "treze": "13", "quatorze": "14", "catorze": "14",
    "quinze": "15", "dezesseis": "16", "dezessete": "17", "dezoito": "18", "dezenove": "19", "vinte": "20",
    "primeiro": "1", "primeira": "1", "terceiro": "3", "terceira": "3", "quarto": "4", "quinto": "5",
    "sexto": "6", "setimo": "7", "setima": "7", "oitavo": "8", "oitava": "8", "nono": "9", "nona": "9",
    "decimo": "10", "decima": "10", "1o": "1", "1a": "1", "2o": "2", "2a": "2", "3o": "3", "3a": "3",
    "4o": "4", "4a": "4", "5o": "5", "5a": "5",
}

# Emojis that carry meaning -> the words a customer would have typed instead. Angry faces are not
# here: anger is the sentiment's to weigh (engine/sentiment.py reads the emojis), not a complaint.
EMOJIS: dict[str, str] = {
    "👍": "ok", "👌": "ok", "✅": "ok", "🆗": "ok", "✔": "ok", "☑": "ok", "🤝": "combinado",
    "🙏": "obrigado", "🥰": "obrigado", "😘": "beijos", "❤": "obrigado", "💖": "obrigado",
    "👋": "oi", "🤙": "valeu", "💪": "valeu",
    "📅": "agendar", "🗓": "agendar", "📍": "endereco", "💰": "valor", "💲": "valor", "💳": "cartao",
    "⭐": "estrela", "🌟": "estrela", "⏰": "horario", "🕐": "horario", "❓": "?", "❔": "?", "🤔": "?",
}

# Letters customers stretch ("olaaaa", "bommm") collapse to one; these two stay doubled, since
# Portuguese writes them double ("carro", "isso") and a stretched "rrr"/"sss" is one of those.
DOUBLE_LETTERS = frozenset("rs")
# Words that do end in a doubled vowel: "boa noitee" loses its extra "e", these keep theirs.
DOUBLE_VOWEL_WORDS = frozenset({"voo", "enjoo", "zoo", "leem", "veem", "creem", "deem", "perdoo"})

# Words intents and answers are keyed on: a customer's near miss ("cnsulta", "estacionamnto",
# "cancelr") is corrected to the nearest of these when close enough (normalize.FUZZY_CUTOFF).
VOCABULARY: frozenset[str] = frozenset("""
agendar agendamento agenda marcar marcacao remarcar reagendar desmarcar cancelar cancelamento consulta
consultas sessao avaliacao horario horarios disponivel disponibilidade encaixe vaga vagas amanha hoje
segunda terca quarta quinta sexta sabado domingo feriado semana manha tarde noite
preco precos valor valores quanto custa custam investimento orcamento tabela pagamento pagar parcelar
parcelado parcelamento parcela parcelas cartao credito debito dinheiro boleto pix convenio convenios
reembolso endereco localizacao estacionamento referencia perto chegar chego onde bairro
funcionamento funciona funcionam aberto abertos aberta fechado fechados fecha fecham abre abrem almoco
atendente atendimento humano pessoa verdade responsavel gerente recepcao secretaria robo maquina
obrigado obrigada valeu tchau beleza perfeito combinado entendi
reclamacao reclamar pessimo horrivel absurdo insatisfeito decepcionado
dados informacoes cadastro apagar excluir deletar remover receber mensagens descadastrar inscricao
lgpd privacidade copia
servico servicos procedimento procedimentos tratamento tratamentos quais fazem
preciso precisava gostaria queria quero poderia
atende atendem atender atenderia atendida atendido pessoal pessoas falar ligar
dia dias semanas mes marcado marcada cancelado cancelada cancelei marquei mensagem
chega chegou chegam promocao promocoes propaganda confirmo confirmado confirmada lista espera
""".split())

"""What customers write for each intent, as tables for `engine/intents.py`.

Each row is an intent and the phrases (regular expressions over normalised text: folded, no
accents, abbreviations spelled out — engine/normalize.py) that signal it. The rows are checked in
the order written and the first that matches decides: an LGPD request that says "pare de me
mandar" is not a cancellation, a complaint that says "desmarcaram meu horário" is a complaint,
a question about the cancellation policy is a question. Adding a wording customers use is adding
a phrase to a row, not an `if` in the engine. tests/conversations/test_intents.py holds examples
both ways, and the evaluation corpus measures the whole (`make eval`).
"""

_DAY = (r"(segunda|terca|quarta|quinta|sexta|sabado|domingo|amanha|hoje|semana|mes|tarde|manha|noite|dia \d+|\d+"
        r"|mais tarde|mais cedo|depois|fim|final|inicio|comeco|outra|outro)")
_BOOKING_NOUN = r"(horario|consulta|sessao|agendamento|avaliacao|procedimento|atendimento|limpeza|retorno|vaga)"
_PERSON = (r"(alguem|uma pessoa|pessoa|pessoas|gente|um humano|humano|humana|ser humano|um ser humano|atendente"
           r"|um atendente|uma atendente|a equipe|equipe|o pessoal|pessoal|o responsavel|a responsavel|gerente"
           r"|o gerente|a gerente|o dono|a dona|a recepcao|recepcao|a recepcionista|recepcionista|a secretaria"
           r"|secretaria|a doutora|o doutor|a dra|o dr)")

# LGPD requests, by what the customer wants (compliance/lgpd/turns.py acts on the kind).
_MINE = r"(meus dados|minhas informacoes|informacoes minhas|meu cadastro|meus dados pessoais)"
LGPD_ERASURE = (
    r"(apag|exclu|delet|remov|esquec|elimin|anonimiz)\w* (o |todo o |todos os |tudo (o )?que (voces )?(tem|sabem"
    r"|guardam)( \w+)? )?(meu|meus|minha|minhas|de mim|sobre mim)( (cadastro|numero|contato|telefone|celular|dados"
    r"|informacoes|historico|conversas?))?( do sistema| de voces)?",
    rf"(apag|exclu|delet|remov|anonimiz)\w*\b.*\b{_MINE}", rf"{_MINE} (apagados|excluidos|removidos)",
    r"esquec\w* (o |de )?(meu numero|mim|que eu existo)",
)
LGPD_ACCESS = (
    rf"(quero|queria|gostaria de|manda|mande|envia|envie|me passa|ver|receber|acessar|baixar|exportar|copia)\b"
    rf".*\b{_MINE}",
    r"dados (que )?(voces )?(tem|guardam|possuem|armazenam|salvaram)( \w+)? (sobre|de) mim",
    r"(os )?dados (que )?(voces )?(tem|guardam) meus",
    r"(o que|quais informacoes|que informacoes|quais dados|que dados) (voces )?(sabem|guardam|guardaram|tem"
    r"|possuem|armazenam|armazenaram|salvam|salvaram|coletaram)( \w+)? (sobre|de) mim",
    r"(quais|que) (sao os )?(meus )?dados (meus )?(voces )?(tem|guardam|guardaram|possuem)", r"informacoes minhas",
    r"dados meus",
    r"(manda|mande|envia|envie|quero|queria|gostaria de|preciso de) (receber )?(uma )?copia( dos dados)?",
)
LGPD_OPT_OUT = (
    r"nao quero (mais )?receber (mais )?(nenhuma |essas |suas |esse tipo de )?(mensage\w*|avisos?|lembretes?"
    r"|promoc\w*|novidades|propaganda\w*)", r"nao quero mais receber",
    r"(me )?(tira|tire|tirem|remove|remova|exclui|exclua|sai|sair) (da|dessa|desta|de|das|dessas) (lista|listas)",
    r"(me )?(tira|tire|tirem) (disso|daqui|dessa|desse)",
    r"chega de (propaganda\w*|mensage\w*|promoc\w*|spam)",
    r"(para|pare|parem|parar) de (me )?(mandar|enviar|mandarem)", r"cancelar (a |minha )?inscricao", r"descadastr\w*",
)
# Whole messages that mean "stop" ("parar", "sair"): WhatsApp users send them to unsubscribe.
LGPD_STOP = r"^(parar|pare|sair|stop|descadastrar|cancelar inscricao)[\s!.]*$"
LGPD = (*LGPD_ERASURE, *LGPD_ACCESS, *LGPD_OPT_OUT, r"lgpd", r"dados pessoais", r"meus dados", r"spam")
LGPD_ALONE = LGPD_STOP

HUMAN = (
    r"atendente", r"humano", r"humana", r"pessoa (de verdade|real)", r"carne e osso", r"ser humano",
    r"(alguem|pessoa|gente)( ai)? de verdade", r"(me )?(liga|ligue|ligar)( pra mim| para mim)?$",
    r"me liga", r"me ligue", r"(pode|podem|poderia|podia) me ligar",
    r"alguem (pode |podia |poderia |consegue )?me (liga|ligar|ligue|retornar|retorna|responder|atender)",
    rf"(falar|conversar|papo) com {_PERSON}", r"(mensage\w*|resposta\w*) automatica\w*",
    rf"(chama|chame|chamar|passa|passe|transfere|transfira|encaminha|encaminhe|me passa|me passe|me transfere)"
    rf" (pra |para |pro |para o |para a )?{_PERSON}",
    r"(preciso|quero|queria|gostaria)( de)? (falar com )?(alguem|uma pessoa|um humano|um atendente|uma atendente"
    r"|gente)( (da|de|pra|para) \w+)?( me ajudar| de verdade| real)?$",
    r"(quero|preciso|queria) (de )?(uma pessoa|alguem|um humano|gente) (pra|para) me (ajudar|atender|responder)",
    r"nao (quero|gosto de) (falar com |conversar com )?(robo|bot|maquina)", r"nao (com|com um|com uma) (robo|bot"
    r"|maquina)",
    r"cansei (de|desse|dessa|do|da) (robo|bot|maquina)", r"(voce|vc) e (um )?(robo|bot)\b.*(quero|preciso)",
)

COMPLAINT = (
    r"reclama\w*", r"pessim\w*", r"horrive(l|is)", r"absurd\w*", r"descaso", r"insatisfeit\w*", r"decepcion\w*",
    r"desrespeit\w*", r"falta de respeito", r"vergonha", r"ridicul\w*", r"lamentavel", r"inaceitavel",
    r"nunca mais volto", r"procon", r"reclame aqui", r"palhacada", r"pior (atendimento|clinica|lugar|servico)",
    r"(foi|foram|e|sao|muito|super|mega) (grosseir[oa]s?|grossas?|grossos?|mal educad[oa]s?|estupid[oa]s?)",
    r"grosseria", r"(me )?(atenderam|atendeu|trataram|tratou) mal", r"mal (atendid[oa]|tratad[oa])",
    r"ninguem (me )?(responde|atende|retorna|respondeu|atendeu|retornou)",
    r"sem (me )?avisar", r"esperei (muito|demais|horas|mais de|uma eternidade)", r"(espera|demora) (absurda"
    r"|enorme)", r"por que (voces )?(nao|nunca) (me )?(respondem|responde|atendem|atende|retornam|retorna)",
    rf"(desmarcaram|cancelaram|remarcaram|mudaram|trocaram) (o |a )?(meu|minha) {_BOOKING_NOUN}",
    r"(cobraram|cobrado|cobrada|cobrou) (2|duas|tres|3) vezes", r"cobra(ram|nca) (errad[oa]|a mais|indevid[oa])",
    r"cobranca (duplicada|indevida|errada)", r"(estou|to|fiquei|estou muito|to muito) (brav[oa]|irritad[oa]"
    r"|revoltad[oa]"
    r"|indignad[oa]|chatead[oa]|furios[oa]|puto|puta)",
    r"(fiquei|ficou|estou|esta|ta) com (a pele |o rosto )?(toda |todo |muito )?(vermelh|queimad|inchad|ferid"
    r"|irritad)\w*",
    r"(pele|rosto) (ficou |esta |ta )?(toda |todo |muito )?(vermelh|queimad|inchad|ferid)\w*",
)

# Questions that mention an agenda word but ask for information ("horário de funcionamento",
# "política de cancelamento", "vaga para carro", "multa se desmarcar").
INFO_QUESTION = (
    r"horarios? de (funcionamento|atendimento)", r"(que|quais) horas? (voces )?(abre|abrem|fecha|fecham|funciona)",
    r"ate que horas", r"estaciona\w*", r"vagas? (para|pra|de) (carro|moto)", r"o que (voces )?(fazem|faz)",
    r"(politica|regras?|multa|taxa|prazo|custo) (de|para|pra|do|da|pelo|pela) (cancel|desmarc|remarc|atras)\w*",
    r"multa", r"(tem|cobra|cobram|pago|pagar) (alguma )?(taxa|multa)",
    r"(se|caso) (eu )?(cancel|desmarc|remarc|atras|falt)\w*.{0,30}\b(pago|pagar|cobra\w*|custo|multa|taxa)",
    r"(quais|que) (servicos|procedimentos|tratamentos)",
)

# Not ours to answer, though worded like a question or a booking ("tem vaga de emprego?").
OUT_OF_SCOPE = (
    r"vagas? de (emprego|trabalho|estagio)", r"emprego", r"curriculo", r"estagio", r"trabalhar (ai|com voces)",
    r"(voce|tu) sabe (onde|de algum|de alguma)", r"sabe (me )?(dizer|indicar) (onde|algum|alguma)",
    r"\bcpf\b", r"\brg\b", r"senha", r"representante", r"fornecedor", r"parceria",
    # spam and chain messages
    r"clique (no|aqui|neste)", r"ganhe (dinheiro|\d+)", r"renda extra", r"trabalh\w* de casa", r"bitcoin",
)

WAITLIST = (
    r"lista de espera", r"fila de espera", r"(ficar|entrar|me coloca|me coloque|me bota|me poe) na (fila|lista)",
    r"(se|caso|quando) (alguem )?(desmarcar|cancelar|desistir|faltar)",
    r"(se|caso|quando) (vagar|abrir|surgir|liberar|aparecer|sobrar) (um |uma |algum |alguma )?(horario|vaga|encaixe)",
    r"(se|caso|quando) (um |uma |algum |alguma )?(horario|vaga|encaixe) (vagar|abrir|surgir|liberar|aparecer)",
    r"(se|caso|quando) (abra|vague|surja|libere|apareca) (um |uma |algum |alguma )?(horario|vaga|encaixe)",
    r"me (avisa|avise|chama|chame|chamem|avisem)( se| caso| quando)? (vagar|abrir|surgir|liberar|alguem desmarcar)",
    # the answer to a freed slot's offer
    r"(a|essa) vaga que (abriu|surgiu|vagou|liberou)", r"(quero|aceito|vou querer|pode ser) (sim )?(a|essa) vaga",
    r"nao (vou )?quer(o|er) (essa|a) vaga",
)

RESCHEDULE = (
    r"remarcar", r"remarca", r"remarque", r"remarcacao", r"reagendar", r"reagenda", r"reagendamento", r"adiar",
    r"adiantar", r"antecipar", rf"(mudar|trocar|muda|troca|alterar|altera|mover|move|passar|passa|jogar|joga"
    rf"|empurrar|empurra|transferir|transfere) (o |a |de |meu |minha |o meu |a minha )?({_BOOKING_NOUN} |dia |data "
    rf"|\w+ )?(?:\w+ ){{0,3}}(pra|para|pro|para o|para a) (a |o |outro |outra |uma |um |o dia |a proxima |proxima "
    rf"|depois )?{_DAY}",
    rf"(mudar|trocar|muda|troca|alterar|altera) (o |a |de |meu |minha |o meu |a minha )?(horario|dia|data"
    rf"|{_BOOKING_NOUN})",
)
# "outro dia" moves an appointment unless an explicit cancellation was said ("cancela, depois vejo outra data").
RESCHEDULE_WEAK = (r"(?<!nem )(?<!nao )outro (dia|horario)", r"(?<!nem )(?<!nao )outra (data|hora|semana)",
                   r"(dia|horario|data) diferente")

CANCEL = (
    r"cancelar", r"cancela", r"cancele", r"cancelo", r"desmarcar", r"desmarca", r"desmarque", r"desmarco",
    r"cancelamento d[ao] (minha|meu)", rf"nao preciso mais d[oa] {_BOOKING_NOUN}",
    r"(pode )?liberar (o horario|a vaga|meu horario|pra outra pessoa)",
    rf"nao quero mais (o |a |meu |minha |o meu |a minha )?{_BOOKING_NOUN}",
    r"(tira|tire|tirar|tirem|risca|risque|riscar) (o )?(meu nome|me) (da|de) agenda", r"desisto", r"desisti",
)
# "não vou conseguir ir": a cancellation, unless another day is asked for in the same breath.
CANCEL_CANT_GO = (r"nao (vou|vai|irei) (poder|conseguir) (ir|comparecer|estar)", r"nao (vou|irei) (mais )?(ir"
                  r"|comparecer)")

CONFIRM = (
    r"confirm\w*", r"estarei (la|ai|presente)", r"(vou|irei) sim", r"(vou|irei) estar (la|ai)", r"pode contar comigo",
    r"(estou|to) confirmad[oa]", r"presenca confirmada",
)

REQUEST = (
    r"agendar", r"agenda", r"agendo", r"agende", r"agendamento", r"marcar", r"marca", r"marque", r"marcacao",
    r"encaixe", r"encaixar", r"encaixa", r"encaixo", r"disponibilidade", r"reservar", r"reserva",
    r"(tem|teria|ha|existe|existem|tera) (algum |alguma |um |uma )?(horarios?|vagas?)",
    r"horarios? (livres?|disponive\w*|vagos?)", r"vagas? (livres?|disponive\w*)",
    r"(ver|arrumar|conseguir|consegue|consigo|pegar|garantir) (um |uma |algum |alguma )?(horario|vaga|encaixe)",
    r"(que|qual|quais) (dia|dias|horario|horarios) (voces )?(tem|teria|estao|esta|ficam?)?\s?(livres?|disponive\w*"
    r"|vagos?)",
    r"tem (livre|vago|disponivel)",
    r"(quero|queria|gostaria de|preciso) (de )?(fazer )?(uma |um )?(consulta|sessao|horario|avaliacao)",
    r"tem (pra|para) (hoje|amanha|segunda|terca|quarta|quinta|sexta|sabado|essa semana|semana que vem)",
    r"(quero|queria|gostaria de|preciso|vou) (fazer|ir|passar) (uma |um |na |no |a |o )?(consulta|avaliacao"
    r"|limpeza|sessao|procedimento|dermatologista)",
)

FEEDBACK = (
    r"nota (10|[0-9])", r"(dou|daria) (nota )?(10|[0-9])\b", r"de (uma )?nota (10"
    r"|[0-9])", r"super recomendo", r"recomendo", r"recomendaria",
    r"(amei|adorei|gostei|curti|amamos|adoramos)( muito| bastante| demais| mt)? (d[oa]s? |o |a |os |as )?(resultado"
    r"|atendimento|servico|procedimento|limpeza|consulta|tratamento|clinica|experiencia|peeling|botox|equipe|doutora"
    r"|pele)",
    r"(foi|ficou|achei|estava|foi muito|ficou muito) (otim[oa]|maravilhos[oa]|excelente|perfeit[oa]"
    r"|incrivel|show|top|bom|boa|lind[oa]|sensacional|nota 10)",
    r"(maravilhos[oa]|excelente|otim[oa]|perfeit[oa]|incrivel) (o |a )?(atendimento|resultado|servico|equipe"
    r"|profissional|doutora|clinica)",
    r"(podia|poderia|podiam|poderiam) ser mais", r"estrelas?", r"^(gostei|amei|adorei|curti)\b",
    r"(foi|foram|e|sao) (super |muito |bem )?(atencios[oa]s?|educad[oa]s?|gentil|gentis|cuidados[oa]s?"
    r"|carinhos[oa]s?)", r"(demorou|atrasou) (um pouco|muito|demais)? ?(pra|para) (ser )?atend",
)
# A score on its own ("10", "nota 9"): the answer to "de 0 a 10, como foi?".
FEEDBACK_SCORE = r"^(nota )?(10|[0-9])[\s!.]*$"

# Asking for prices or the address outranks the thanks said with it ("tabela de preços pfv 🙏").
INFO_ASK = (r"tabela( de precos)?", r"precos", r"valores", r"orcamento", r"quanto (custa|custam|fica|sai|e)",
            r"localizacao", r"endereco", r"(manda|envia|passa|mande|envie) (a |o )?(local|pin)")

THANKS = (r"obrigad[oa]s?", r"obg", r"brigad[oa]", r"valeu", r"vlw", r"agradeco", r"agradecid[oa]", r"grat[oa]",
          r"gratidao", r"(me )?ajud(ou|aram)( muito| demais| bastante)?$")
GOODBYE = (r"tchau\w*", r"ate logo", r"ate mais", r"ate breve", r"ate amanha", r"ate (a )?proxima", r"falou",
           r"bom descanso", r"beijos?( ate)?$", r"ate (segunda|terca|quarta|quinta|sexta|sabado|domingo|la)",
           r"bom fim de semana", r"boa semana", r"fui$", r"estamos juntos", r"(fica|va|vai) com deus", r"ate$")

# A greeting at the start of a message; small talk after it ("tudo bem?"); "salve" and "bão?" are greetings
# in São Paulo and Minas.
GREETING_OPENING = (r"oi+e*", r"ola+", r"bom dia", r"boa tarde", r"boa noite", r"e ai", r"eae", r"hey", r"opa",
                    r"alo", r"hello", r"hi", r"salve", r"bao", r"fala ai", r"oi oi")
SMALL_TALK = (r"tudo (bem|bom|certo|joia|tranquilo|ok|em ordem|na paz)( com (voces|voce|a senhora|o senhor|todos))?"
              r"( por ai| por aqui| ai)?", r"td (bem|bom)", r"como (vai|voce esta|vai voce|esta)",
              r"beleza\?", r"tudo na paz", r"como voces estao")
# What may follow a greeting and still leave it a greeting: "boa noite 🙏" (the emoji reads "obrigado").
GREETING_TAIL = r"^(?:(?:por favor|obrigad[oa])[\s,!.]*)+$"

# "meu nome é Joana", "é a Carla", "aqui é o Pedro": the customer says who they are (a question,
# "aqui é a assistência técnica?", is not an introduction).
INTRODUCTION = (r"^(?:meu nome e|me chamo|aqui e (?:o|a)|quem fala e (?:o|a)?|e (?:o|a)|sou (?:o|a))"
                r"\s+([a-z]+)(?![^?]*\?)")
# "queria saber", "tenho uma dúvida": the question is coming in the next message.
LEAD_IN = (r"^(?:oi |ola )?(?:eu )?(?:queria|gostaria de|quero|preciso) (?:saber|perguntar|tirar uma duvida"
           r"|uma informacao)(?: uma coisa| uma informacao)?[\s.,!?]*$"
           r"|^(?:tenho|tem) uma (?:duvida|pergunta)[\s.,!?]*$"
           r"|^(?:uma|so uma|me tira uma) (?:duvida|pergunta|informacao)[\s.,!?]*$"
           r"|^(?:posso|pode) (?:perguntar|tirar uma duvida)( uma coisa)?[\s.,!?]*$")
# "eu de novo", "voltei": the customer is back.
RETURNING = r"^(?:(?:sou )?eu de novo|eu novamente|voltei|oi de novo|ola de novo|to de volta|estou de volta)\b"
# "sim", "ok", "beleza", "combinado 👍" on their own: the customer agrees with what was just said.
_ACK_WORDS = (r"(?:sim|s|ok|okay|oks|ta|ta bom|ta certo|ta otimo|certo|beleza|beleza entao|combinado|perfeito"
              r"|otimo|show|joia|entendi|entendido|fechado|pode ser|isso|isso mesmo|claro|com certeza|ah ta"
              r"|uhum|aham|ok entao|entao ta|tranquilo|de boa|suave)")
ACKNOWLEDGEMENT = rf"^{_ACK_WORDS}(?:[\s!.,]+{_ACK_WORDS})*[\s!.,]*$"

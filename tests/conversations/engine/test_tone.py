"""The company's tone: greetings by local time, formality, empathy and emoji; varied, deterministic wordings."""

import pytest

from conversations.assistant.engine import tone
from conversations.assistant.engine.context import ProfileData
from conversations.assistant.engine.sentiment import Sentiment
from templates.replies.catalogue import slot_get
from templates.replies.syntax import alternatives, fill

from .conftest import COMPANY, at

NEGATIVE = Sentiment("negative", -0.5)


@pytest.mark.parametrize(("hour", "hello"), [(5, "Bom dia"), (11, "Bom dia"), (12, "Boa tarde"),
                                             (17, "Boa tarde"), (18, "Boa noite"), (2, "Boa noite")])
def test_daypart_by_local_hour(hour, hello):
    assert tone.daypart(at(hour=hour)) == hello


def test_neutral_greeting_introduces_the_assistant_and_company():
    text = tone.greeting(ProfileData(), "maria souza", COMPANY, at(hour=15))
    assert text == "Boa tarde, Maria! Aqui é Ana, assistente virtual da Clínica Bella Pele."


def test_formal_greeting_is_sober():
    text = tone.greeting(ProfileData(formality="formal", emoji=True, assistant_name="Sofia"), "Maria", COMPANY,
                         at(hour=9))
    assert text == "Bom dia, Maria. Sou Sofia, assistente virtual da Clínica Bella Pele."
    assert "!" not in text and not tone.has_emoji(text)


def test_informal_greeting_uses_emoji_only_when_the_company_does():
    with_emoji = tone.greeting(ProfileData(formality="informal", emoji=True), "Maria", COMPANY, at(hour=20))
    without = tone.greeting(ProfileData(formality="informal"), "Maria", COMPANY, at(hour=20))
    assert with_emoji.startswith("Boa noite, Maria! Tudo bem? 😊")
    assert not tone.has_emoji(without)


def test_greeting_without_a_usable_name_or_a_second_time():
    assert tone.greeting(ProfileData(), "5511999998888", COMPANY, at()).startswith("Bom dia! Aqui é Ana")
    assert tone.greeting(ProfileData(), "Maria", COMPANY, at(), introduce=False) == "Bom dia, Maria!"


def test_masculine_company_names_take_do():
    assert tone.of_company("Salão Bela Vida") == "do Salão Bela Vida"
    assert tone.of_company("Clínica Sorriso") == "da Clínica Sorriso"


def test_first_name():
    assert tone.first_name("maria souza") == "Maria"
    assert tone.first_name("🌸 Ana Paula") == "Ana"
    assert tone.first_name("JOÃO") == "JOÃO"
    assert tone.first_name("+55 11 91234-5678") == ""
    assert tone.first_name("") == ""


def test_style_formal_removes_slang_and_exclamations():
    text = tone.style("Oi! Vou te ajudar pra marcar!! 😊", ProfileData(formality="formal", emoji=True))
    assert text == "Olá. Vou ajudar para marcar."


def test_style_strips_emoji_when_the_company_does_not_use_them():
    assert tone.style("Claro! 😊", ProfileData(emoji=False)) == "Claro!"


def test_style_informal_adds_one_emoji_when_allowed():
    informal = ProfileData(formality="informal", emoji=True)
    assert tone.style("Claro!", informal) == "Claro! 😊"
    assert tone.style("Claro! 🙂", informal) == "Claro! 🙂"
    assert tone.style("Claro!", informal, add_emoji=False) == "Claro!"
    assert tone.style("Claro!", ProfileData(emoji=True)) == "Claro!"  # neutral keeps it plain


def test_style_empathy_for_an_upset_customer():
    assert tone.style("Vou verificar.", ProfileData(), NEGATIVE) == "Sinto muito por isso. Vou verificar."
    assert tone.style("Vou verificar.", ProfileData(empathy=False), NEGATIVE) == "Vou verificar."
    assert tone.style("Sinto muito! Vou verificar.", ProfileData(), NEGATIVE) == "Sinto muito! Vou verificar."
    formal = tone.style("Vou verificar.", ProfileData(formality="formal"), NEGATIVE)
    assert formal == "Lamentamos pelo transtorno. Vou verificar."
    assert not tone.has_emoji(tone.style("Vou verificar.", ProfileData(formality="informal", emoji=True), NEGATIVE))


def test_social_phrases_follow_formality_and_humour():
    assert tone.offer_help(ProfileData(formality="formal")) == "Em que posso ajudar?"
    assert tone.offer_help(ProfileData(formality="informal")) == "Como posso te ajudar?"
    assert tone.thanks_reply(ProfileData()) == "Por nada! Se precisar de mais alguma coisa, é só chamar."
    assert "não tira folga" in tone.thanks_reply(ProfileData(humour=True))
    assert "folga" not in tone.thanks_reply(ProfileData(humour=True, formality="formal"))
    assert tone.sign_off(ProfileData(), at(hour=15)) == "Até logo! Tenha uma ótima tarde."
    assert tone.sign_off(ProfileData(formality="formal"), at(hour=21)).startswith("Agradecemos o contato.")


def test_tone_is_deterministic():
    profile = ProfileData(formality="informal", emoji=True, humour=True)
    assert {tone.greeting(profile, "Maria", COMPANY, at()) for _ in range(5)} == {
        tone.greeting(profile, "Maria", COMPANY, at())}


def test_pick_is_stable_for_a_seed_and_the_empty_seed_takes_the_first():
    options = ("Como posso ajudar?", "Em que posso ajudar hoje?", "Me conta: do que você precisa?")
    assert tone.pick(options) == "Como posso ajudar?"
    assert {tone.pick(options, seed="42:3") for _ in range(5)} == {tone.pick(options, seed="42:3")}
    assert len({tone.pick(options, seed=f"42:{n}") for n in range(12)}) > 1  # it moves on with the conversation


def test_pick_never_repeats_the_wording_the_contact_just_got():
    for seed in ("7:0", "7:1", "joana:2", "8:5"):
        first = tone.fallback(names={"nome": "Joana"}, seed=seed)
        last_sent = tone.style(first, ProfileData(formality="formal")).replace(", Joana", "")
        again = tone.fallback(names={"nome": "Joana"}, seed=seed, avoid=[last_sent])
        assert again != first


def test_every_fallback_says_what_the_bot_does_and_offers_a_person():
    for text in alternatives(slot_get("fallback").text):
        said = fill(text, {})
        assert "valores" in said and "endereço" in said and "chamo alguém da equipe" in said
        assert "{" not in said


def test_complaint_answers_vary_but_always_hand_over():
    answers = {tone.complaint(ProfileData(), names={"nome": "Rita"}, seed=f"rita:{n}") for n in range(10)}
    assert len(answers) > 1
    assert all(a.count("Rita") == 1 and "equipe" in a for a in answers)
    formal = tone.complaint(ProfileData(formality="formal"), names={"nome": "Rita"}, seed="rita:1")
    assert "Rita" not in formal and formal.startswith(("Lamentamos", "Pedimos desculpas"))


def test_greeting_introductions_vary_by_seed_and_avoid_the_last_one():
    profile = ProfileData()
    first = tone.greeting(profile, "Carla", COMPANY, at(), seed="c:0")
    other = tone.greeting(profile, "Carla", COMPANY, at(), seed="c:0", avoid=[first])
    assert first != other and "Ana" in other and COMPANY in other

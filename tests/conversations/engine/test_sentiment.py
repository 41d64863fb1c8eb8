"""Sentiment in Portuguese: enough to notice an upset customer."""

import pytest

from conversations.assistant.engine.sentiment import NEUTRAL, Sentiment, combine, detect_sentiment


@pytest.mark.parametrize(("text", "label"), [
    ("Adorei o atendimento, obrigada!", "positive"),
    ("Vocês são ótimos 😊", "positive"),
    ("não foi ruim", "positive"),
    ("Não tenho do que reclamar", "positive"),
    ("sem problema", "positive"),
    ("quanto custa a limpeza de pele?", "neutral"),
    ("Bom dia, tudo bem?", "neutral"),
    ("", "neutral"),
    ("não gostei", "negative"),
    ("ruim", "negative"),
    ("Estou esperando há uma hora 😡", "negative"),
])
def test_labels(text, label):
    assert detect_sentiment(text).label == label


def test_accents_do_not_matter():
    assert detect_sentiment("pessimo").score == detect_sentiment("péssimo").score < 0


def test_negation_flips_praise():
    assert detect_sentiment("gostei").score > 0 > detect_sentiment("não gostei").score


def test_intensifiers_and_shouting_make_it_stronger():
    plain = detect_sentiment("ruim").score
    assert detect_sentiment("muito ruim").score < plain
    assert detect_sentiment("RUIM DEMAIS!!!").score < detect_sentiment("ruim demais").score


@pytest.mark.parametrize("text", [
    "O atendimento foi péssimo",
    "PÉSSIMO ATENDIMENTO!!!",
    "que absurdo, ninguém responde",
    "estou muito insatisfeita com o resultado",
    "😡😡",
])
def test_strong_negative(text):
    sentiment = detect_sentiment(text)
    assert sentiment.strong_negative and sentiment.score <= -0.6


def test_mild_negative_is_not_strong():
    assert not detect_sentiment("ruim").strong_negative


def test_emoji_gratitude_is_positive():
    assert detect_sentiment("obrigada 🙏").label == "positive"


def test_scores_stay_in_range():
    for text in ["PÉSSIMO HORRÍVEL ABSURDO 😡😡😡!!!", "EXCELENTE MARAVILHOSO PERFEITO 😍😍!!!"]:
        assert -1 <= detect_sentiment(text).score <= 1


def test_one_angry_message_marks_the_whole_burst():
    burst = combine([detect_sentiment("oi"), detect_sentiment("que descaso, péssimo")])
    assert burst.label == "negative"
    assert combine([]) == NEUTRAL
    assert combine([Sentiment("positive", 0.6), Sentiment("neutral", 0.0)]).label == "positive"


@pytest.mark.parametrize("text", ["atendimento mt ruim", "pessimooo", "n gostei nd", "hrrivel o atendimento"])
def test_sentiment_reads_whatsapp_spelling(text):
    assert detect_sentiment(text).label == "negative"


def test_an_emoji_counts_once():
    """'🙏' weighs as an emoji; normalize() would also make it 'obrigado', which must not add to it."""
    assert detect_sentiment("🙏").score == detect_sentiment("🙏 ").score == pytest.approx(0.4 / 0.9, abs=0.001)

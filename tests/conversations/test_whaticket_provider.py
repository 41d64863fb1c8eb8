"""The Whaticket provider against the wire examples of docs/contracts/whaticket.md §1: inbound parsing of
every kind and envelope, our webhook authentication, and the real client against respx."""

import copy
import json
from datetime import UTC, datetime

import httpx
import pytest

from conversations.channels.base import (
    ChannelClient,
    MessageKind,
    Option,
    PermanentChannelError,
    TransientChannelError,
)
from conversations.channels.whaticket import (
    WhaticketClient,
    WhaticketPayloadError,
    normalize_number,
    numbered_text,
    option_for_reply,
    parse_inbound,
    sign,
    signature_valid,
    token_valid,
)

from . import whaticket_payloads as P

WHEN = datetime(2024, 6, 7, 16, 29, 37, tzinfo=UTC)
BASE = "http://whaticket.test"
SEND_URL = f"{BASE}/api/messages/send"
TOKEN = "0b1f6c2e-1111-4222-8333-944455556666"


def both(payload: dict) -> list:
    """The raw WebMessageInfo and the `{"message": ...}` wrapper: every test runs on both."""
    return [pytest.param(payload, id="raw"), pytest.param(P.wrapped(payload), id="wrapped")]


def parsed(payload):
    message = parse_inbound(payload)
    assert message is not None
    assert message.provider == "whaticket"
    return message


# --- inbound: text ---------------------------------------------------------------------------


@pytest.mark.parametrize("payload", both(P.TEXT))
def test_text_from_contracts_example(payload):
    message = parsed(payload)
    assert message.kind == MessageKind.TEXT
    assert message.text == "Quero marcar uma consulta amanhã"
    assert message.sender == P.PHONE
    assert message.provider_message_id == "3EB0A1B2C3D4E5F60718"
    assert message.sender_name == "Maria"
    assert message.timestamp == WHEN
    assert message.raw == payload
    assert (message.media, message.location, message.reply_to, message.channel_account) == (None, None, "", "")


@pytest.mark.parametrize("payload", both(P.EXTENDED_TEXT_REPLY))
def test_extended_text_with_quote(payload):
    message = parsed(payload)
    assert (message.kind, message.text, message.reply_to) == (MessageKind.TEXT, "Pode ser às 10h?", "BAE5F00000000001")


# --- inbound: media ---------------------------------------------------------------------------

MEDIA_CASES = [
    (P.IMAGE, MessageKind.IMAGE, "Foto do exame", "image/jpeg", "", False),
    (P.VIDEO, MessageKind.VIDEO, "Olha o barulho", "video/mp4", "", False),
    (P.DOCUMENT, MessageKind.DOCUMENT, "", "application/pdf", "pedido-medico.pdf", False),
    (P.DOCUMENT_WITH_CAPTION, MessageKind.DOCUMENT, "Minha carteirinha do convênio", "application/pdf",
     "carteirinha.pdf", False),
    (P.AUDIO_VOICE, MessageKind.AUDIO, "", "audio/ogg; codecs=opus", "", True),
    (P.AUDIO_FILE, MessageKind.AUDIO, "", "audio/mpeg", "", False),
    (P.STICKER, MessageKind.STICKER, "", "image/webp", "", False),
]


@pytest.mark.parametrize("wrap", [False, True], ids=["raw", "wrapped"])
@pytest.mark.parametrize(("payload", "kind", "caption", "mime", "filename", "voice"), MEDIA_CASES,
                         ids=[c[1].value + str(i) for i, c in enumerate(MEDIA_CASES)])
def test_media_kinds(payload, kind, caption, mime, filename, voice, wrap):
    message = parsed(P.wrapped(payload) if wrap else payload)
    assert (message.kind, message.text) == (kind, caption)
    assert message.media.mime_type == mime
    assert message.media.filename == filename
    assert message.media.voice is voice
    assert message.media.url.startswith("https://mmg.whatsapp.net/")


def test_media_hash_and_sticker_animation():
    assert parsed(P.IMAGE).media.sha256 == "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="
    assert parsed(P.IMAGE_BUFFER_SHA).media.sha256 == "AQID/w=="  # Node Buffer {type, data} → base64
    assert parsed(P.STICKER).media.animated is True
    assert parsed(P.IMAGE).media.animated is False


# --- inbound: location, contacts --------------------------------------------------------------


@pytest.mark.parametrize("payload", both(P.LOCATION))
def test_location(payload):
    message = parsed(payload)
    assert (message.kind, message.text) == (MessageKind.LOCATION, "Clínica Sorriso")
    loc = message.location
    assert (loc.latitude, loc.longitude) == (-23.561414, -46.655881)
    assert (loc.name, loc.address) == ("Clínica Sorriso", "Av. Paulista, 1000 - São Paulo")
    assert loc.url.startswith("https://maps.google.com/")


@pytest.mark.parametrize("payload", both(P.LIVE_LOCATION))
def test_live_location(payload):
    message = parsed(payload)
    assert (message.kind, message.text) == (MessageKind.LOCATION, "Estou chegando")
    assert (message.location.latitude, message.location.longitude, message.location.name) == (-22.9068, -43.1729, "")


@pytest.mark.parametrize("coordinates", [{"degreesLatitude": "north"}, {"degreesLatitude": 91.0},
                                         {"degreesLongitude": float("nan")}, {"degreesLongitude": True}])
def test_location_with_garbage_coordinates_is_a_payload_error(coordinates):
    payload = copy.deepcopy(P.LOCATION)
    payload["message"]["locationMessage"].update(coordinates)
    with pytest.raises(WhaticketPayloadError, match="degrees"):
        parse_inbound(payload)


@pytest.mark.parametrize("payload", both(P.CONTACT))
def test_one_contact(payload):
    message = parsed(payload)
    assert (message.kind, message.text) == (MessageKind.CONTACTS, "Ana Souza")
    assert message.contacts == [{
        "name": {"formatted_name": "Ana Souza"},
        "phones": [{"phone": "+55 11 98888-7777", "wa_id": "5511988887777"}],
        "vcard": P.VCARD_ANA,
    }]


@pytest.mark.parametrize("payload", both(P.CONTACTS_ARRAY))
def test_contacts_array(payload):
    message = parsed(payload)
    assert (message.kind, message.text) == (MessageKind.CONTACTS, "Ana Souza, Bruno Lima")
    assert [c["phones"] for c in message.contacts] == [
        [{"phone": "+55 11 98888-7777", "wa_id": "5511988887777"}],
        [{"phone": "+55 21 3333-4444", "wa_id": ""}],
    ]


# --- inbound: interactive replies, reactions, unsupported ----------------------------------------

INTERACTIVE_CASES = [
    (P.BUTTONS_RESPONSE, "confirm_yes", "Sim, confirmo", "BAE5BTN0000001"),
    (P.LIST_RESPONSE, "svc_cleaning", "Limpeza", "BAE5LST0000001"),
    (P.TEMPLATE_BUTTON_REPLY, "reschedule", "Remarcar", ""),
]


@pytest.mark.parametrize("wrap", [False, True], ids=["raw", "wrapped"])
@pytest.mark.parametrize(("payload", "choice_id", "title", "reply_to"), INTERACTIVE_CASES,
                         ids=["buttons", "list", "template_button"])
def test_interactive_replies(payload, choice_id, title, reply_to, wrap):
    message = parsed(P.wrapped(payload) if wrap else payload)
    assert (message.kind, message.choice_id, message.text, message.reply_to) == (
        MessageKind.INTERACTIVE, choice_id, title, reply_to)


@pytest.mark.parametrize("payload", both(P.REACTION))
def test_reaction(payload):
    message = parsed(payload)
    assert (message.kind, message.text, message.reaction_to) == (MessageKind.REACTION, "👍", "BAE5OURS0000001")


def test_reaction_removed():
    message = parsed(P.UNREACTION)
    assert (message.kind, message.text, message.reaction_to) == (MessageKind.REACTION, "", "BAE5OURS0000001")


@pytest.mark.parametrize("payload", both(P.POLL))
def test_unknown_content_is_unsupported(payload):
    message = parsed(payload)
    assert (message.kind, message.text, message.sender) == (MessageKind.UNSUPPORTED, "", P.PHONE)


# --- inbound: wrappers around the content ------------------------------------------------------


@pytest.mark.parametrize(("payload", "kind", "text"), [
    (P.EPHEMERAL_TEXT, MessageKind.TEXT, "Mensagem temporária"),
    (P.VIEW_ONCE_V2_IMAGE, MessageKind.IMAGE, "só uma vez"),
    (P.VIEW_ONCE_VIDEO, MessageKind.VIDEO, ""),
    (P.EPHEMERAL_VIEW_ONCE, MessageKind.IMAGE, "dupla"),
], ids=["ephemeral", "view_once_v2", "view_once", "nested"])
def test_content_wrappers_are_unwrapped(payload, kind, text):
    for body in (payload, P.wrapped(payload)):
        message = parsed(body)
        assert (message.kind, message.text) == (kind, text)


def test_absurdly_deep_wrappers_are_kept_as_unsupported():
    message = {"conversation": "fundo"}
    for _ in range(6):
        message = {"ephemeralMessage": {"message": message}}
    assert parsed(P.info(message)).kind == MessageKind.UNSUPPORTED


# --- inbound: ignored -------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [
    P.FROM_ME, P.GROUP, P.STATUS_BROADCAST, P.NEWSLETTER, P.REVOKE, P.EDIT, P.STUB_NO_MESSAGE, P.ONLY_BOOKKEEPING,
    P.info({"conversation": ""}), P.info({}),
], ids=["from_me", "group", "status_broadcast", "newsletter", "revoke", "edit", "stub", "bookkeeping",
        "empty_text", "empty_message"])
def test_nothing_to_answer_returns_none(payload):
    assert parse_inbound(payload) is None
    assert parse_inbound(P.wrapped(payload)) is None


def test_broadcast_flag_alone_is_not_ignored():
    """A customer's broadcast-list message reaches us in the 1:1 chat: it is still for us."""
    assert parsed(P.info({"conversation": "oi"}, broadcast=True)).text == "oi"


# --- inbound: addressing -------------------------------------------------------------------------------


@pytest.mark.parametrize(("payload", "sender"), [
    (P.DEVICE_SUFFIX, P.PHONE),
    (P.C_US, P.PHONE),
    (P.LID_WITH_SENDER_PN, P.PHONE),
    (P.LID_WITH_REMOTE_ALT, P.PHONE),
    (P.LID_ONLY, "272516946294519"),
    (P.WRAPPED_WITH_CONTACT_TICKET, P.PHONE),
], ids=["device_suffix", "c_us", "lid_sender_pn", "lid_remote_jid_alt", "lid_only", "lid_wrapper_contact"])
def test_sender_digits(payload, sender):
    assert parsed(payload).sender == sender


def test_lid_ignores_alternatives_that_are_not_phone_jids():
    payload = copy.deepcopy(P.LID_ONLY)
    payload["key"]["participantAlt"] = "99999@lid"
    assert parsed(payload).sender == "272516946294519"


# --- inbound: timestamps ----------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [P.TEXT, P.TIMESTAMP_STRING, P.TIMESTAMP_LONG], ids=["number", "string", "long"])
def test_timestamp_shapes(payload):
    assert parsed(payload).timestamp == WHEN


def test_timestamp_edge_shapes():
    assert parsed(P.info({"conversation": "x"}, messageTimestamp=1717777777000)).timestamp == WHEN  # milliseconds
    assert parsed(P.info({"conversation": "x"}, messageTimestamp=1717777777.9)).timestamp == WHEN
    big = {"low": -1, "high": 0, "unsigned": True}  # 2**32 - 1, low written as a signed int32
    assert parsed(P.info({"conversation": "x"}, messageTimestamp=big)).timestamp == datetime.fromtimestamp(
        2**32 - 1, tz=UTC)
    missing = P.info({"conversation": "x"})
    del missing["messageTimestamp"]
    assert abs((parsed(missing).timestamp - datetime.now(UTC)).total_seconds()) < 5


@pytest.mark.parametrize("value", ["amanhã", "", True, -5, 0, {"low": "x"}, {"low": 0, "high": -1}, [1]])
def test_garbage_timestamp_is_a_payload_error(value):
    with pytest.raises(WhaticketPayloadError, match="messageTimestamp"):
        parse_inbound(P.info({"conversation": "x"}, messageTimestamp=value))


# --- inbound: other envelopes (Socket.IO relay of Whaticket rows) --------------------------------------


def test_wrapper_with_contact_and_ticket():
    message = parsed(P.WRAPPED_WITH_CONTACT_TICKET)
    assert (message.text, message.provider_message_id) == ("Oi", "3EB0WRP0001")
    assert message.raw == P.WRAPPED_WITH_CONTACT_TICKET


def test_socket_row_without_baileys_data():
    message = parsed(P.APP_MESSAGE_ROW)
    assert (message.kind, message.text, message.sender) == (MessageKind.TEXT, "Boa tarde, vocês atendem sábado?",
                                                            P.PHONE)
    assert (message.provider_message_id, message.sender_name, message.timestamp) == ("3EB0ROW0001", "Maria Silva",
                                                                                     WHEN)


def test_socket_row_voice_note():
    message = parsed(P.APP_MESSAGE_ROW_AUDIO)
    assert message.kind == MessageKind.AUDIO
    assert (message.media.voice, message.media.url) == (True, "https://whaticket.example/public/1717777777-audio.ogg")


def test_socket_row_reads_baileys_data_json():
    message = parsed(P.APP_MESSAGE_DATA_JSON)
    assert (message.kind, message.text, message.provider_message_id) == (MessageKind.IMAGE, "Foto do exame",
                                                                         "3EB0IMG0001")
    assert message.raw == P.APP_MESSAGE_DATA_JSON


@pytest.mark.parametrize("payload", [P.APP_MESSAGE_UPDATE, P.APP_MESSAGE_GROUP], ids=["update", "group_ticket"])
def test_socket_updates_and_groups_are_ignored(payload):
    assert parse_inbound(payload) is None


def test_socket_row_from_me_is_ignored():
    payload = copy.deepcopy(P.APP_MESSAGE_ROW)
    payload["message"]["fromMe"] = True
    assert parse_inbound(payload) is None


# --- inbound: structurally invalid ---------------------------------------------------------------------


@pytest.mark.parametrize(("payload", "reason"), [
    ([P.TEXT], "not a JSON object"),
    ("texto", "not a JSON object"),
    (None, "not a JSON object"),
    ({}, "no `key`"),
    ({"message": "oi"}, "no `key`"),
    ({"key": "abc", "message": {"conversation": "x"}}, "`key` is not an object"),
    ({"key": {"remoteJid": P.JID, "fromMe": False}, "message": {"conversation": "x"}}, "`key.id` is missing"),
    ({"key": {"remoteJid": P.JID, "id": ""}, "message": {"conversation": "x"}}, "`key.id` is missing"),
    ({"key": {"id": "X"}, "message": {"conversation": "x"}}, "remoteJid"),
    ({"key": {"id": "X", "remoteJid": "abc@s.whatsapp.net"}, "message": {"conversation": "x"}}, "no digits"),
    ({"message": {"key": {"remoteJid": P.JID}}}, "`key.id` is missing"),
    ({"message": {"body": "oi"}}, "Whaticket `id`"),
    ({"message": {"id": "X", "body": "oi"}}, "contact number"),
])
def test_invalid_payloads_raise_with_a_reason(payload, reason):
    with pytest.raises(WhaticketPayloadError, match=reason) as info:
        parse_inbound(payload)
    assert isinstance(info.value, ValueError)


# --- our HMAC scheme ----------------------------------------------------------------------------------------

SECRET = "segredo-da-acme"
BODY = json.dumps(P.TEXT).encode()
NOW = 1_717_777_777.0
STAMP = str(int(NOW))


def valid(**overrides) -> bool:
    arguments = {"secret": SECRET, "timestamp_header": STAMP, "signature_header": sign(SECRET, STAMP, BODY),
                 "raw_body": BODY, "now": NOW}
    return signature_valid(**{**arguments, **overrides})


def test_signature_format_is_hex_hmac_over_timestamp_dot_body():
    import hashlib
    import hmac

    expected = hmac.new(SECRET.encode(), STAMP.encode() + b"." + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, STAMP, BODY) == f"sha256={expected}"


def test_signature_valid():
    assert valid()
    assert valid(signature_header=sign(SECRET, STAMP, BODY).upper().replace("SHA256=", "sha256="))
    assert valid(timestamp_header=f" {STAMP} ")
    assert valid(now=NOW + 300) and valid(now=NOW - 300)  # the window's edges are inside


@pytest.mark.parametrize("overrides", [
    {"signature_header": "sha256=" + "0" * 64},  # wrong
    {"signature_header": sign(SECRET, STAMP, BODY)[:-1]},  # truncated
    {"signature_header": sign(SECRET, STAMP, BODY)[7:]},  # no prefix
    {"signature_header": "sha1=" + sign(SECRET, STAMP, BODY)[7:]},
    {"signature_header": sign(SECRET, STAMP, BODY) + "00"},
    {"signature_header": "sha256=" + "zz" * 32},
    {"signature_header": "sha256=" + "é" * 64},
    {"now": NOW + 301},  # stale: signed more than 300 s ago
    {"now": NOW - 301},  # from the future
    {"timestamp_header": None},
    {"signature_header": None},
    {"timestamp_header": ""},
    {"signature_header": ""},
    {"timestamp_header": "agora"},
    {"timestamp_header": "1717777777.0"},
    {"timestamp_header": "-1717777777"},
    {"timestamp_header": "１７１７７７７７７７"},  # fullwidth digits
    {"timestamp_header": "9" * 40},
    {"timestamp_header": str(int(NOW) + 1)},  # a different timestamp than was signed
    {"raw_body": BODY[:-1] + b"]"},  # one byte tampered
    {"raw_body": BODY + b" "},
    {"secret": "segredo-da-globex"},  # another company's secret
    {"secret": ""},
], ids=["wrong", "truncated", "no_prefix", "sha1", "too_long", "not_hex", "non_ascii", "stale", "future",
        "no_timestamp", "no_signature", "empty_timestamp", "empty_signature", "timestamp_word", "timestamp_float",
        "timestamp_negative", "timestamp_fullwidth", "timestamp_huge", "timestamp_changed", "tampered_byte",
        "extra_byte", "other_secret", "blank_secret"])
def test_signature_rejected(overrides):
    assert valid(**overrides) is False


def test_signature_signed_with_another_secret_is_rejected():
    assert not valid(signature_header=sign("segredo-da-globex", STAMP, BODY))


def test_signature_uses_the_clock_when_now_is_not_given():
    import time

    stamp = str(int(time.time()))
    assert signature_valid(secret=SECRET, timestamp_header=stamp, signature_header=sign(SECRET, stamp, BODY),
                           raw_body=BODY)
    assert not signature_valid(secret=SECRET, timestamp_header=STAMP, signature_header=sign(SECRET, STAMP, BODY),
                               raw_body=BODY)


def test_token_check():
    assert token_valid("tok-acme-123", "tok-acme-123")
    for given in ("tok-acme-12", "tok-acme-1234", "TOK-ACME-123", "", None, "tok-globex-123", "tök-acme-123"):
        assert token_valid("tok-acme-123", given) is False
    assert token_valid("", "") is False and token_valid("", None) is False


# --- client: request -------------------------------------------------------------------------------------------


def client(**kwargs) -> WhaticketClient:
    return WhaticketClient(**{"base_url": BASE + "/", "token": TOKEN, **kwargs})


def sent(route) -> httpx.Request:
    return route.calls.last.request


def test_client_satisfies_the_channel_interface():
    import inspect

    for method in ("send_text", "send_options"):
        ours = inspect.signature(getattr(WhaticketClient, method))
        assert ours == inspect.signature(getattr(ChannelClient, method))
    assert client().name == "whaticket"
    assert TOKEN not in repr(client())


def test_send_text_request(respx_mock):
    route = respx_mock.post(SEND_URL).respond(200, json=P.SEND_OK_SAAS)
    client().send_text(to="+55 (11) 99999-8888", body="Olá, Maria! Consulta confirmada.")
    request = sent(route)
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {"number": P.PHONE, "body": "Olá, Maria! Consulta confirmada."}


def test_send_text_original_family_connection(respx_mock):
    route = respx_mock.post(SEND_URL).respond(200)
    client(whatsapp_id=3).send_text(to=P.PHONE, body="oi")
    assert json.loads(sent(route).content) == {"number": P.PHONE, "body": "oi", "whatsappId": 3}


def test_send_has_a_timeout(respx_mock):
    route = respx_mock.post(SEND_URL).respond(200)
    client(timeout=4.5).send_text(to=P.PHONE, body="oi")
    assert sent(route).extensions["timeout"] == {"connect": 4.5, "read": 4.5, "write": 4.5, "pool": 4.5}


@pytest.mark.parametrize(("to", "number"), [
    ("5511999998888", P.PHONE), ("+55 11 99999-8888", P.PHONE), (P.JID, P.PHONE),
    ("5511999998888:7@s.whatsapp.net", P.PHONE), ("5511999998888@c.us", P.PHONE),
])
def test_number_normalised_to_digits(to, number):
    assert normalize_number(to) == number


@pytest.mark.parametrize(("to", "body", "code"), [("", "oi", "invalid_number"), ("abc", "oi", "invalid_number"),
                                                  (P.PHONE, "   ", "empty_body")])
def test_refused_locally_without_a_request(respx_mock, to, body, code):
    route = respx_mock.post(SEND_URL).respond(200)
    with pytest.raises(PermanentChannelError) as info:
        client().send_text(to=to, body=body)
    assert info.value.code == code
    assert not route.called


def test_no_token_is_permanent_without_a_request(respx_mock):
    route = respx_mock.post(SEND_URL).respond(200)
    with pytest.raises(PermanentChannelError) as info:
        client(token="").send_text(to=P.PHONE, body="oi")
    assert info.value.code == "no_token" and not route.called


def test_send_options_as_numbered_text(respx_mock):
    route = respx_mock.post(SEND_URL).respond(200, json=P.SEND_OK_TICKETZ)
    options = [Option("morning", "Manhã"), Option("afternoon", "Tarde", "13h às 18h")]
    client().send_options(to=P.PHONE, body="Qual período prefere?", options=options)
    assert json.loads(sent(route).content)["body"] == "Qual período prefere?\n\n1 - Manhã\n2 - Tarde: 13h às 18h"


def test_numbered_text_and_replies():
    options = [Option("a", "Limpeza"), Option("b", "Clareamento")]
    assert numbered_text("", options) == "1 - Limpeza\n2 - Clareamento"
    assert numbered_text("Só isso", []) == "Só isso"
    for reply, expected in [("1", "a"), (" 2. ", "b"), ("2 - Clareamento", "b"), ("2)", "b"), ("clareamento", "b")]:
        assert option_for_reply(reply, options).id == expected
    for reply in ("3", "0", "", "talvez", "-1"):
        assert option_for_reply(reply, options) is None


# --- client: the three success shapes ---------------------------------------------------------------------------


@pytest.mark.parametrize(("response", "raw"), [
    (httpx.Response(200, content=P.SEND_OK_ORIGINAL), {}),
    (httpx.Response(200, json=P.SEND_OK_SAAS), P.SEND_OK_SAAS),
    (httpx.Response(200, json=P.SEND_OK_TICKETZ), P.SEND_OK_TICKETZ),
], ids=["original_empty", "saas", "ticketz"])
def test_success_shapes(respx_mock, response, raw):
    respx_mock.post(SEND_URL).mock(return_value=response)
    result = client().send_text(to=P.PHONE, body="oi")
    assert (result.provider_message_id, result.raw) == ("", raw)


@pytest.mark.parametrize(("body", "message_id"), [
    ({"id": "BAE5SENT0001"}, "BAE5SENT0001"),
    ({"message": {"id": "BAE5SENT0002", "body": "oi"}}, "BAE5SENT0002"),
    ({"key": {"id": "BAE5SENT0003"}}, "BAE5SENT0003"),
    ({"message": "Mensagem enviada"}, ""),
    ({"id": True}, ""),
])
def test_message_id_when_a_fork_returns_one(respx_mock, body, message_id):
    respx_mock.post(SEND_URL).respond(200, json=body)
    assert client().send_text(to=P.PHONE, body="oi").provider_message_id == message_id


def test_non_json_success_body_is_still_success(respx_mock):
    respx_mock.post(SEND_URL).respond(201, text="OK")
    assert client().send_text(to=P.PHONE, body="oi").raw == {"body": "OK"}


# --- client: errors ------------------------------------------------------------------------------------------------


def failure(respx_mock, response: httpx.Response) -> Exception:
    respx_mock.post(SEND_URL).mock(return_value=response)
    with pytest.raises((TransientChannelError, PermanentChannelError)) as info:
        client().send_text(to=P.PHONE, body="oi")
    assert TOKEN not in str(info.value)
    return info.value


@pytest.mark.parametrize(("status", "body", "kind", "code"), [
    (401, P.ERR_NO_AUTH_HEADER, PermanentChannelError, "ERR_SESSION_EXPIRED"),
    (403, P.ERR_INVALID_TOKEN, PermanentChannelError, "forbidden"),
    (401, P.ERR_ACCESS_DENIED, PermanentChannelError, "unauthorized"),
    (400, P.ERR_NUMBER_FORMAT, PermanentChannelError, "invalid_number"),
    (400, P.ERR_INVALID_CONTACT, PermanentChannelError, "ERR_WAPP_INVALID_CONTACT"),
    (400, P.ERR_WHATSAPP_ID, PermanentChannelError, "bad_request"),
    (400, P.ERR_SYNTAX, PermanentChannelError, "ERR_SYNTAX"),
    (404, P.ERR_WHATSAPP_NOT_FOUND, PermanentChannelError, "ERR_WHATSAPP_NOT_FOUND"),
    (404, None, PermanentChannelError, "not_found"),
    (422, {"error": "Unprocessable"}, PermanentChannelError, "bad_request"),
    (301, None, PermanentChannelError, "redirect"),
    (400, P.ERR_CHECK_CONTACT, TransientChannelError, "ERR_WAPP_CHECK_CONTACT"),
    (400, P.ERR_SENDING, TransientChannelError, "ERR_SENDING_WAPP_MSG"),
    (400, P.ERR_NOT_INITIALIZED, TransientChannelError, "ERR_WAPP_NOT_INITIALIZED"),
    (400, P.ERR_SAAS_GENERIC, TransientChannelError, "retry_later"),
    (429, None, TransientChannelError, "rate_limited"),
    (408, None, TransientChannelError, "timeout"),
    (500, P.ERR_INTERNAL, TransientChannelError, "ERR_INTERNAL_ERROR"),
    (500, P.ERR_INTERNAL_ORIGINAL, TransientChannelError, "server_error"),
    (502, None, TransientChannelError, "server_error"),
    (503, None, TransientChannelError, "server_error"),
])
def test_error_mapping(respx_mock, status, body, kind, code):
    response = httpx.Response(status, json=body) if body is not None else httpx.Response(status, text="<html>x</html>")
    error = failure(respx_mock, response)
    assert type(error) is kind
    assert (error.status, error.code) == (status, code)
    assert str(error).startswith(f"Whaticket HTTP {status}")
    if body:
        assert body["error"] in str(error)


@pytest.mark.parametrize(("exception", "code"), [
    (httpx.ReadTimeout, "timeout"),
    (httpx.ConnectTimeout, "timeout"),
    (httpx.WriteTimeout, "timeout"),
    (httpx.PoolTimeout, "timeout"),
    (httpx.ConnectError, "connection"),
    (httpx.RemoteProtocolError, "connection"),
    (httpx.ReadError, "connection"),
])
def test_transport_failures_are_transient(respx_mock, exception, code):
    route = respx_mock.post(SEND_URL).mock(side_effect=exception)
    with pytest.raises(TransientChannelError) as info:
        client().send_text(to=P.PHONE, body="oi")
    assert (info.value.code, info.value.status) == (code, None)
    assert route.call_count == 1  # no retries in the client: the outbox retries


def test_bad_scheme_is_permanent():
    with pytest.raises(PermanentChannelError) as info:
        WhaticketClient(base_url="ftp://whaticket.test", token=TOKEN).send_text(to=P.PHONE, body="oi")
    assert info.value.code == "invalid_url"


def test_errors_are_never_retried_by_the_client(respx_mock):
    route = respx_mock.post(SEND_URL).respond(503)
    with pytest.raises(TransientChannelError):
        client().send_text(to=P.PHONE, body="oi")
    assert route.call_count == 1


def test_injected_http_client_is_used(respx_mock):
    route = respx_mock.post(SEND_URL).respond(200)
    with httpx.Client() as http:
        client(http=http).send_text(to=P.PHONE, body="oi")
    assert route.called

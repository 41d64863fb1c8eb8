"""The Meta WhatsApp Cloud API provider against the wire examples of docs/contracts/meta.md §2:
webhook handshake and signature (S1), parsing of every inbound type and status,
status precedence (R7), and the real MetaClient against a respx fake of the Graph API."""

import copy
import hashlib
import hmac
import itertools
import json
from datetime import UTC, datetime
from functools import reduce

import httpx
import pytest
from django.http import QueryDict

from conversations.channels.base import (
    DeliveryStatus,
    Location,
    MessageKind,
    Option,
    PermanentChannelError,
    TemplateRequiredError,
    TransientChannelError,
)
from conversations.channels.meta import (
    MetaClient,
    MetaPayloadError,
    most_advanced,
    parse_notification,
    signature_valid,
    status_rank,
    verify_handshake,
)

from . import meta_payloads as P

APP_SECRET = "app-secret-of-acme"
VERIFY_TOKEN = "meatyhamhock"
TOKEN = "EAAG-access-token-do-not-log"
PNID = "106540352242922"
SEND_URL = f"http://graph.test/v21.0/{PNID}/messages"
S = DeliveryStatus


def only_message(payload):
    result = parse_notification(payload)
    assert len(result.messages) == 1 and not result.rejected
    return result.messages[0]


def value_of(payload) -> dict:
    return payload["entry"][0]["changes"][0]["value"]


def first_message(payload) -> dict:
    return value_of(payload)["messages"][0]


# --- 2.1 handshake -------------------------------------------------------------------


def test_handshake_echoes_the_challenge():
    params = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": VERIFY_TOKEN}
    assert verify_handshake(params, verify_token=VERIFY_TOKEN) == "1158201444"


def test_handshake_reads_a_django_querydict_with_dots_kept():
    query = QueryDict("hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock")
    assert verify_handshake(query, verify_token=VERIFY_TOKEN) == "1158201444"


@pytest.mark.parametrize(
    "params, configured",
    [
        ({"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": "wrong"}, VERIFY_TOKEN),
        ({"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": VERIFY_TOKEN[:-1]}, VERIFY_TOKEN),
        ({"hub.mode": "unsubscribe", "hub.challenge": "1", "hub.verify_token": VERIFY_TOKEN}, VERIFY_TOKEN),
        ({"hub.challenge": "1", "hub.verify_token": VERIFY_TOKEN}, VERIFY_TOKEN),
        ({"hub.mode": "subscribe", "hub.challenge": "1"}, VERIFY_TOKEN),
        ({"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN}, VERIFY_TOKEN),
        ({"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": ""}, ""),
        ({"hub.mode": "subscribe", "hub.challenge": "<script>", "hub.verify_token": VERIFY_TOKEN}, VERIFY_TOKEN),
    ],
    ids=[
        "wrong-token",
        "token-prefix",
        "wrong-mode",
        "no-mode",
        "no-token",
        "no-challenge",
        "unconfigured",
        "html-challenge",
    ],
)
def test_handshake_refuses(params, configured):
    assert verify_handshake(params, verify_token=configured) is None


# --- 2.2 signature (S1) ----------------------------------------------------------------

BODY = json.dumps(P.TEXT, ensure_ascii=True).encode()


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_signature_valid():
    assert signature_valid(BODY, sign(BODY), app_secret=APP_SECRET)
    assert signature_valid(BODY, sign(BODY).upper().replace("SHA256=", "sha256="), app_secret=APP_SECRET)


def tampered_body() -> bytes:
    body = bytearray(BODY)
    body[len(body) // 2] ^= 0x01
    return bytes(body)


@pytest.mark.parametrize(
    "body, header",
    [
        (BODY, None),
        (BODY, ""),
        (BODY, "sha256="),
        (BODY, sign(BODY)[:-1]),
        (BODY, sign(BODY)[:40]),
        (BODY, sign(BODY) + "0"),
        (BODY, sign(BODY).removeprefix("sha256=")),
        (BODY, "sha1=" + hmac.new(APP_SECRET.encode(), BODY, hashlib.sha1).hexdigest()),
        (BODY, sign(BODY)[:-1] + ("0" if sign(BODY)[-1] != "0" else "1")),
        (BODY, sign(BODY, "another-tenant-secret")),
        (BODY, "sha256=" + "zz" * 32),
        (tampered_body(), sign(BODY)),
        (BODY + b" ", sign(BODY)),
    ],
    ids=[
        "missing",
        "empty",
        "no-hex",
        "truncated-1",
        "truncated-half",
        "too-long",
        "no-prefix",
        "sha1",
        "1-char-tamper",
        "another-secret",
        "not-hex",
        "1-byte-body-tamper",
        "appended-byte",
    ],
)
def test_signature_invalid(body, header):
    assert not signature_valid(body, header, app_secret=APP_SECRET)


def test_signature_needs_a_configured_secret():
    assert not signature_valid(BODY, sign(BODY, ""), app_secret="")


def test_signature_covers_raw_bytes_not_reserialised_json():
    raw = json.dumps(P.CONTACTS, ensure_ascii=True).encode()  # "Lucía" escaped, as Meta sends it
    reserialised = json.dumps(json.loads(raw), ensure_ascii=False).encode()
    assert signature_valid(raw, sign(raw), app_secret=APP_SECRET)
    assert not signature_valid(reserialised, sign(raw), app_secret=APP_SECRET)


# --- 2.4 inbound messages ----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(P.INBOUND_EXAMPLES))
def test_every_example_keeps_the_common_fields(name):
    payload = P.INBOUND_EXAMPLES[name]
    message = only_message(payload)
    source = first_message(payload)
    assert message.provider == "meta"
    assert message.provider_message_id == source["id"]
    assert message.sender == source["from"]
    assert message.channel_account == value_of(payload)["metadata"]["phone_number_id"]
    assert message.timestamp == datetime.fromtimestamp(int(source["timestamp"]), tz=UTC)
    assert message.timestamp.tzinfo is not None
    assert message.raw == source


def test_text():
    message = only_message(P.TEXT)
    assert message.kind == MessageKind.TEXT
    assert message.text == "Does it come in another color?"
    assert message.sender == "16505551234" and message.sender_name == "Sheena Nelson"
    assert message.channel_account == "106540352242922"
    assert message.timestamp == datetime(2025, 6, 8, 20, 59, 43, tzinfo=UTC)
    assert (message.media, message.location, message.reply_to, message.choice_id) == (None, None, "", "")


def test_text_with_context_and_referral():
    product = only_message(P.TEXT_REFERRED_PRODUCT)
    assert product.text == "Is this still available?"
    assert product.reply_to == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGA9wcm9kdWN0X2lucXVpcnkA"
    assert product.raw["context"]["referred_product"]["product_retailer_id"] == "di9ozbzfi4"
    ad = only_message(P.TEXT_AD_REFERRAL)
    assert ad.text == "Hello! Can I get more info on this?" and ad.reply_to == ""
    assert ad.raw["referral"]["source_type"] == "ad"


def test_image_caption_and_media():
    message = only_message(P.IMAGE)
    assert message.kind == MessageKind.IMAGE and message.text == "Taj Mahal"
    assert message.media.id == "1003383421387256"
    assert message.media.mime_type == "image/jpeg"
    assert message.media.sha256 == "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI="
    with_url = only_message(P.IMAGE_WITH_URL)
    assert with_url.text == "" and with_url.media.id == "65463453"
    assert with_url.media.url.startswith("https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=65463453")
    assert with_url.sender_name == "Test Name"


def test_audio_voice_flag():
    voice = only_message(P.AUDIO_VOICE)
    assert voice.kind == MessageKind.AUDIO and voice.media.voice is True
    assert voice.media.mime_type == "audio/ogg; codecs=opus" and voice.media.id == "1234567890987654321"
    forwarded = only_message(P.AUDIO_FILE_FORWARDED)
    assert forwarded.kind == MessageKind.AUDIO and forwarded.media.voice is False
    assert forwarded.reply_to == ""  # context with only `forwarded` quotes nothing


def test_video_and_document():
    video = only_message(P.VIDEO)
    assert video.kind == MessageKind.VIDEO and video.text == "caption"
    assert (video.media.id, video.media.mime_type) == ("765756756", "video/mp4")
    document = only_message(P.DOCUMENT)
    assert document.kind == MessageKind.DOCUMENT and document.text == "caption"
    assert document.media.filename == "filename.pdf" and document.media.mime_type == "application/pdf"


def test_sticker_animated_flag():
    assert only_message(P.STICKER_STATIC).media.animated is False
    animated = only_message(P.STICKER_ANIMATED)
    assert animated.kind == MessageKind.STICKER and animated.media.animated is True
    assert animated.media.mime_type == "image/webp"


def test_location_named_and_current():
    place = only_message(P.LOCATION)
    assert place.kind == MessageKind.LOCATION and place.text == "Philz Coffee"
    assert place.location == Location(
        37.44221496582,
        -122.16165924072,
        "Philz Coffee",
        "101 Forest Ave, Palo Alto, CA 94301",
        "https://philzcoffee.com/",
    )
    current = only_message(P.LOCATION_CURRENT)
    assert current.location == Location(12.25089, 43.90539) and current.text == ""


def test_contacts():
    message = only_message(P.CONTACTS)
    assert message.kind == MessageKind.CONTACTS and message.text == "Lucía Gómez"
    assert message.contacts == first_message(P.CONTACTS)["contacts"]
    assert message.contacts[0]["phones"][0]["wa_id"] == "19835552319"


def test_interactive_button_reply():
    message = only_message(P.INTERACTIVE_BUTTON_REPLY)
    assert message.kind == MessageKind.INTERACTIVE
    assert (message.text, message.choice_id) == ("Cancel", "cancel-button")
    assert message.reply_to == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MEM2RUJFNkI0RENGQTVDRjUA"


def test_interactive_list_reply():
    message = only_message(P.INTERACTIVE_LIST_REPLY)
    assert message.kind == MessageKind.INTERACTIVE
    assert (message.text, message.choice_id) == ("Priority Mail Express", "priority_express")
    assert message.raw["interactive"]["list_reply"]["description"] == "Next Day to 2 Days"


def test_interactive_without_payload_is_unsupported_and_keeps_the_value_error():
    result = parse_notification(P.INTERACTIVE_WITHOUT_PAYLOAD)
    assert result.messages[0].kind == MessageKind.UNSUPPORTED
    assert result.messages[0].reply_to == "wamid.gvwegfretge=="
    [meta_error] = value_of(P.INTERACTIVE_WITHOUT_PAYLOAD)["errors"]
    assert result.errors == [{"channel_account": "1122334455667", **meta_error}]
    assert result.errors[0]["code"] == 131000


def test_interactive_flow_reply_is_unsupported():
    payload = copy.deepcopy(P.INTERACTIVE_BUTTON_REPLY)
    first_message(payload)["interactive"] = {"type": "nfm_reply", "nfm_reply": {"response_json": "{}"}}
    assert only_message(payload).kind == MessageKind.UNSUPPORTED


def test_template_quick_reply_button():
    message = only_message(P.BUTTON)
    assert message.kind == MessageKind.BUTTON
    assert (message.text, message.choice_id) == ("Unsubscribe", "Unsubscribe")
    assert message.reply_to == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJFNjk2OTMwNEZCQjhGMzUyQUYA"


def test_reaction_and_its_removal():
    message = only_message(P.REACTION)
    assert message.kind == MessageKind.REACTION and message.text == "👍"
    assert message.reaction_to == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RTJEOTc2ODVERUY5RDlGNkYA"
    for removal in (P.UNREACTION_NO_EMOJI, P.UNREACTION_EMPTY):
        removed = only_message(removal)
        assert removed.kind == MessageKind.REACTION and removed.text == ""
        assert removed.reaction_to == "wamid.yzxyzx="


def test_order():
    message = only_message(P.ORDER)
    assert message.kind == MessageKind.ORDER and message.text == ""
    assert [item["product_retailer_id"] for item in message.raw["order"]["product_items"]] == [
        "di9ozbzfi4",
        "nqryix03ez",
    ]


def test_system_without_contacts():
    message = only_message(P.SYSTEM)
    assert message.kind == MessageKind.SYSTEM
    assert message.text == "User Sheena Nelson changed from 16505551234 to 12195555358"
    assert message.sender_name == "" and message.raw["system"]["wa_id"] == "12195555358"


@pytest.mark.parametrize("payload", [P.UNSUPPORTED, P.UNSUPPORTED_WITH_TYPE], ids=["plain", "with-type"])
def test_unsupported_keeps_its_errors(payload):
    message = only_message(payload)
    assert message.kind == MessageKind.UNSUPPORTED and message.text == ""
    assert message.raw["errors"][0]["code"] == 131051


@pytest.mark.parametrize("kind", ["unknown", "request_welcome", "pool", None])
def test_unknown_types_are_unsupported(kind):
    payload = copy.deepcopy(P.UNSUPPORTED)
    first_message(payload)["type"] = kind
    assert only_message(payload).kind == MessageKind.UNSUPPORTED


def test_username_only_sender_uses_from_user_id():
    """BSUID rollout: `from`/`wa_id` may be absent (docs/contracts/meta.md §2.3)."""
    payload = copy.deepcopy(P.TEXT)
    value = value_of(payload)
    value["contacts"] = [{"profile": {"name": "Ana", "username": "ana"}, "user_id": "BR.1234567890"}]
    del value["messages"][0]["from"]
    value["messages"][0]["from_user_id"] = "BR.1234567890"
    message = only_message(payload)
    assert (message.sender, message.sender_name) == ("BR.1234567890", "Ana")


def test_sender_name_comes_from_the_matching_contact():
    payload = copy.deepcopy(P.TEXT)
    value = value_of(payload)
    value["contacts"].insert(0, {"profile": {"name": "Someone Else"}, "wa_id": "5511999990000"})
    other = dict(value["messages"][0], id="wamid.other", **{"from": "5511999990000"})
    value["messages"].append(other)
    names = {m.sender: m.sender_name for m in parse_notification(payload).messages}
    assert names == {"16505551234": "Sheena Nelson", "5511999990000": "Someone Else"}


# --- several items, fields, statuses ------------------------------------------------------


def test_every_entry_change_message_and_status_is_read():
    payload = copy.deepcopy(P.TEXT)
    payload["entry"][0]["changes"].append(copy.deepcopy(P.STATUS_SENT["entry"][0]["changes"][0]))
    payload["entry"][0]["changes"].append({"field": "account_update", "value": {"event": "VERIFIED_ACCOUNT"}})
    payload["entry"].append(copy.deepcopy(P.IMAGE["entry"][0]))
    payload["entry"].append(copy.deepcopy(P.STATUS_FAILED_WINDOW_CLOSED["entry"][0]))
    value_of(payload)["messages"].append(first_message(P.REACTION) | {"id": "wamid.second"})
    result = parse_notification(payload)
    assert [m.kind for m in result.messages] == [MessageKind.TEXT, MessageKind.REACTION, MessageKind.IMAGE]
    assert [(s.status, s.channel_account) for s in result.statuses] == [
        (S.SENT, "1122334455667"),
        (S.FAILED, "106540352242922"),
    ]
    assert result.ignored_fields == ["account_update"] and result.rejected == [] and result.errors == []


@pytest.mark.parametrize(
    "name, status, recipient",
    [
        ("status_sent", S.SENT, "972987654321"),
        ("status_delivered", S.DELIVERED, "972987654321"),
        ("status_read", S.READ, "972987654321"),
        ("status_failed", S.FAILED, "972987654321"),
        ("status_played", S.PLAYED, "972987654321"),
        ("status_failed_window_closed", S.FAILED, "16505551234"),
    ],
)
def test_statuses(name, status, recipient):
    payload = P.STATUS_EXAMPLES[name]
    result = parse_notification(payload)
    assert result.messages == [] and len(result.statuses) == 1
    update = result.statuses[0]
    source = value_of(payload)["statuses"][0]
    assert (update.provider, update.status, update.recipient) == ("meta", status, recipient)
    assert update.provider_message_id == source["id"]
    assert update.channel_account == value_of(payload)["metadata"]["phone_number_id"]
    assert update.timestamp == datetime.fromtimestamp(int(source["timestamp"]), tz=UTC)
    assert update.errors == source.get("errors", []) and update.raw == source


def test_failed_status_carries_its_error_codes():
    assert parse_notification(P.STATUS_FAILED).statuses[0].errors[0]["code"] == 130472
    assert parse_notification(P.STATUS_FAILED_WINDOW_CLOSED).statuses[0].errors[0]["code"] == 131047


def test_out_of_band_errors_webhook():
    result = parse_notification(P.ERRORS_WEBHOOK)
    assert (result.messages, result.statuses, result.rejected) == ([], [], [])
    assert result.errors[0]["code"] == 130429 and result.errors[0]["channel_account"] == PNID


def test_other_fields_are_accepted_and_listed():
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {"field": "message_template_status_update", "value": {"event": "APPROVED"}},
                    {"field": "group_lifecycle_update", "value": {}},
                ],
            }
        ],
    }
    result = parse_notification(payload)
    assert result.ignored_fields == ["message_template_status_update", "group_lifecycle_update"]
    assert (result.messages, result.statuses, result.errors, result.rejected) == ([], [], [], [])


# --- structurally wrong payloads and poison items (R9) -----------------------------------


def broken(mutate):
    payload = copy.deepcopy(P.TEXT)
    mutate(payload)
    return payload


@pytest.mark.parametrize(
    "payload, fragment",
    [
        ([], "notification"),
        ("text", "notification"),
        ({"object": "page", "entry": []}, "'object'"),
        (broken(lambda p: p.pop("entry")), "entry"),
        (broken(lambda p: p.update(entry={"id": "x"})), "entry: expected a list"),
        (broken(lambda p: p["entry"].__setitem__(0, "x")), "entry[0]"),
        (broken(lambda p: p["entry"][0].pop("changes")), "entry[0].changes"),
        (broken(lambda p: p["entry"][0].update(changes="x")), "entry[0].changes"),
        (broken(lambda p: p["entry"][0]["changes"][0].pop("field")), "'field'"),
        (broken(lambda p: p["entry"][0]["changes"][0].update(value=None)), "changes[0].value"),
        (broken(lambda p: value_of(p).pop("metadata")), "phone_number_id"),
        (broken(lambda p: value_of(p)["metadata"].pop("phone_number_id")), "phone_number_id"),
        (broken(lambda p: value_of(p).update(messages={"id": "x"})), "messages: expected a list"),
        (broken(lambda p: value_of(p).update(statuses="x")), "statuses: expected a list"),
        (broken(lambda p: first_message(p).pop("id")), "message without an id"),
        (broken(lambda p: value_of(p).update(messages=[None])), "message is not an object"),
    ],
    ids=[
        "list",
        "string",
        "wrong-object",
        "no-entry",
        "entry-not-list",
        "entry-item",
        "no-changes",
        "changes-not-list",
        "no-field",
        "value-none",
        "no-metadata",
        "no-phone-number-id",
        "messages-not-list",
        "statuses-not-list",
        "sole-message-without-id",
        "sole-message-not-object",
    ],
)
def test_structurally_wrong_payload_raises(payload, fragment):
    with pytest.raises(MetaPayloadError) as info:
        parse_notification(payload)
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "mutate, reason",
    [
        (lambda m: m.pop("id"), "message without an id"),
        (lambda m: m.update(id=""), "message without an id"),
        (lambda m: m.pop("from"), "without a sender"),
        (lambda m: m.update(timestamp="yesterday"), "bad timestamp"),
        (lambda m: m.pop("timestamp"), "bad timestamp"),
        (lambda m: m.update(text="plain string"), "'text' is not an object"),
        (lambda m: m.update(type="location", location={"name": "x"}), "latitude/longitude"),
        (lambda m: m.update(type="location", location={"latitude": 91, "longitude": 0}), "latitude/longitude"),
    ],
    ids=[
        "no-id",
        "empty-id",
        "no-sender",
        "bad-timestamp",
        "no-timestamp",
        "text-not-object",
        "location-no-coordinates",
        "latitude-out-of-range",
    ],
)
def test_one_bad_message_does_not_cost_the_good_ones(mutate, reason):
    payload = copy.deepcopy(P.TEXT)
    messages = value_of(payload)["messages"]
    bad = copy.deepcopy(messages[0]) | {"id": "wamid.bad"}
    mutate(bad)
    messages.extend([bad, first_message(P.BUTTON)])
    result = parse_notification(payload)
    assert [m.kind for m in result.messages] == [MessageKind.TEXT, MessageKind.BUTTON]
    [rejected] = result.rejected
    assert reason in rejected["reason"]
    assert rejected["kind"] == "message" and rejected["item"] == bad
    assert rejected["path"] == "entry[0].changes[0].value.messages[1]"
    assert rejected["channel_account"] == PNID


def test_bad_status_is_rejected_beside_good_ones():
    payload = copy.deepcopy(P.STATUS_SENT)
    statuses = value_of(payload)["statuses"]
    statuses.append(dict(statuses[0], status="warning"))
    statuses.append(dict(statuses[0], id=""))
    result = parse_notification(payload)
    assert [s.status for s in result.statuses] == [S.SENT]
    assert [r["reason"] for r in result.rejected] == ["unknown status 'warning'", "status without an id"]
    assert {r["kind"] for r in result.rejected} == {"status"}


def test_only_bad_items_make_the_whole_notification_a_dead_letter():
    payload = copy.deepcopy(P.STATUS_SENT)
    value_of(payload)["statuses"][0]["status"] = "bogus"
    with pytest.raises(MetaPayloadError, match="no usable item.*unknown status 'bogus'"):
        parse_notification(payload)


# --- status precedence (R7) ----------------------------------------------------------------


def final(*statuses):
    return reduce(most_advanced, statuses, None)


@pytest.mark.parametrize(
    "arrivals, expected",
    [
        ((S.DELIVERED, S.SENT, S.READ), S.READ),
        ((S.READ, S.DELIVERED), S.READ),
        ((S.READ, S.SENT), S.READ),
        ((S.SENT, S.READ), S.READ),  # "delivered" skipped by Meta
        ((S.PLAYED, S.READ, S.DELIVERED), S.PLAYED),
        ((S.SENT, S.FAILED), S.FAILED),
        ((S.FAILED, S.SENT), S.FAILED),  # a late "sent" does not resurrect a failure
        ((S.ACCEPTED, S.FAILED, S.SENT), S.FAILED),
        ((S.DELIVERED, S.FAILED), S.DELIVERED),  # the recipient's receipt outranks a failure
        ((S.FAILED, S.READ), S.READ),
        ((S.READ, S.DELETED, S.PLAYED), S.DELETED),
        ((S.SENT, S.SENT), S.SENT),
    ],
)
def test_final_status_is_the_most_advanced(arrivals, expected):
    assert final(*arrivals) == expected


def test_any_arrival_order_gives_the_same_final_status():
    everything = list(S)
    for size in range(1, len(everything) + 1):
        for subset in itertools.combinations(everything, size):
            results = {final(*order) for order in itertools.permutations(subset)}
            assert len(results) == 1, subset
            assert results == {max(subset, key=status_rank)}


def test_rank_order_and_stored_strings():
    ranks = [status_rank(s) for s in (S.ACCEPTED, S.SENT, S.FAILED, S.DELIVERED, S.READ, S.PLAYED, S.DELETED)]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    assert status_rank("read") == status_rank(S.READ)
    assert most_advanced("delivered", "sent") == S.DELIVERED
    assert most_advanced(None, "sent") == S.SENT


def test_parsed_webhooks_out_of_order_end_at_read():
    arrivals = [P.STATUS_DELIVERED, P.STATUS_SENT, P.STATUS_READ, P.STATUS_DELIVERED]
    stored = None
    for payload in arrivals:
        for update in parse_notification(payload).statuses:
            stored = most_advanced(stored, update.status)
    assert stored == S.READ


# --- sending (2.6) ---------------------------------------------------------------------------


@pytest.fixture
def client():
    meta = MetaClient(phone_number_id=PNID, access_token=TOKEN, graph_url="http://graph.test/")
    yield meta
    meta.close()


def sent(route) -> dict:
    return json.loads(route.calls.last.request.content)


def test_send_text_request_and_message_id(respx_mock, client):
    route = respx_mock.post(SEND_URL).respond(json=P.SEND_SUCCESS_RESPONSE)
    result = client.send_text(to="16505551234", body="Olá! Posso ajudar?")
    request = route.calls.last.request
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["content-type"] == "application/json"
    assert sent(route) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "16505551234",
        "type": "text",
        "text": {"body": "Olá! Posso ajudar?", "preview_url": False},
    }
    assert result.provider_message_id == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJCOTY3NDc0NDFDRUI3NTA0Q0UA"
    assert result.raw == P.SEND_SUCCESS_RESPONSE
    assert route.call_count == 1


def test_send_text_as_a_reply(respx_mock, client):
    route = respx_mock.post(SEND_URL).respond(json=P.SEND_SUCCESS_RESPONSE)
    client.send_text(to="16505551234", body="Sim", reply_to="wamid.prev")
    assert sent(route)["context"] == {"message_id": "wamid.prev"}


@pytest.mark.parametrize("body", ["", "x" * 4097])
def test_send_text_refuses_bodies_meta_would_reject(respx_mock, client, body):
    with pytest.raises(ValueError):
        client.send_text(to="16505551234", body=body)
    assert not respx_mock.calls


def test_api_version_and_timeout_are_used(respx_mock):
    route = respx_mock.post(f"http://graph.test/v23.0/{PNID}/messages").respond(json=P.SEND_SUCCESS_RESPONSE)
    with httpx.Client() as http:
        meta = MetaClient(
            phone_number_id=PNID,
            access_token=TOKEN,
            graph_url="http://graph.test",
            api_version="v23.0",
            timeout=3.5,
            http=http,
        )
        meta.send_text(to="1", body="oi")
    assert route.calls.last.request.extensions["timeout"]["read"] == 3.5


def options(count: int, description: str = "") -> list[Option]:
    return [Option(id=f"opt-{i}", title=f"Opção {i}", description=description) for i in range(1, count + 1)]


def test_send_options_up_to_three_are_reply_buttons(respx_mock, client):
    route = respx_mock.post(SEND_URL).respond(json=P.SEND_SUCCESS_RESPONSE)
    choices = [
        Option("sim", "Sim"),
        Option("nao", "Não", "ignored"),
        Option("outro", "Um horário diferente, por favor"),
    ]
    result = client.send_options(to="16505551234", body="Confirma a consulta?", options=choices)
    assert sent(route) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "16505551234",
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "Confirma a consulta?"},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": "sim", "title": "Sim"}},
                    {"type": "reply", "reply": {"id": "nao", "title": "Não"}},
                    {"type": "reply", "reply": {"id": "outro", "title": "Um horário diferent…"}},
                ]
            },
        },
    }
    assert len(sent(route)["interactive"]["action"]["buttons"][2]["reply"]["title"]) == 20
    assert result.provider_message_id.startswith("wamid.")


@pytest.mark.parametrize("count", [4, 10])
def test_send_options_four_to_ten_are_a_list(respx_mock, client, count):
    route = respx_mock.post(SEND_URL).respond(json=P.SEND_SUCCESS_RESPONSE)
    client.send_options(to="16505551234", body="Escolha um horário", options=options(count))
    interactive = sent(route)["interactive"]
    assert sent(route)["type"] == "interactive" and interactive["type"] == "list"
    assert interactive["body"] == {"text": "Escolha um horário"}
    assert interactive["action"]["button"] == "Ver opções"
    [section] = interactive["action"]["sections"]
    assert section["rows"] == [{"id": f"opt-{i}", "title": f"Opção {i}"} for i in range(1, count + 1)]


def test_list_titles_descriptions_and_button_are_shortened(respx_mock, client):
    route = respx_mock.post(SEND_URL).respond(json=P.SEND_SUCCESS_RESPONSE)
    long = [Option(f"id{i}", "Consulta de retorno com a Dra. Ana", "d" * 100) for i in range(5)]
    client.send_options(to="1", body="Qual?", options=long, button="Clique aqui para ver todas as opções")
    action = sent(route)["interactive"]["action"]
    assert action["button"] == "Clique aqui para ve…" and len(action["button"]) == 20
    row = action["sections"][0]["rows"][0]
    assert row["title"] == "Consulta de retorno com…" and len(row["title"]) == 24
    assert len(row["description"]) == 72 and row["description"].endswith("…")


@pytest.mark.parametrize(
    "choices",
    [options(11), [], [Option("a", "A"), Option("a", "B")], [Option("", "A")], [Option("a", "")]],
    ids=["eleven", "none", "duplicate-ids", "empty-id", "empty-title"],
)
def test_send_options_refuses_what_meta_cannot_show(respx_mock, client, choices):
    with pytest.raises(ValueError):
        client.send_options(to="1", body="Qual?", options=choices)
    assert not respx_mock.calls


def test_send_template_minimal_in_portuguese(respx_mock, client):
    route = respx_mock.post(SEND_URL).respond(json=P.SEND_SUCCESS_RESPONSE)
    result = client.send_template(to="16505551234", name="lembrete_consulta")
    assert sent(route) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "16505551234",
        "type": "template",
        "template": {"name": "lembrete_consulta", "language": {"code": "pt_BR"}},
    }
    assert result.provider_message_id == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJCOTY3NDc0NDFDRUI3NTA0Q0UA"


def test_send_template_with_components(respx_mock, client):
    route = respx_mock.post(SEND_URL).respond(json=P.SEND_SUCCESS_RESPONSE)
    components = [{"type": "body", "parameters": [{"type": "text", "text": "Ana"}]}]
    client.send_template(to="1", name="hello_world", language="en_US", components=components)
    assert sent(route)["template"] == {"name": "hello_world", "language": {"code": "en_US"}, "components": components}


def test_mark_read(respx_mock, client):
    route = respx_mock.post(SEND_URL).respond(json={"success": True})
    assert client.mark_read("wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUYzMjEzNDM2RTZGQ0MzMDJBRgA=") is None
    assert sent(route) == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUYzMjEzNDM2RTZGQ0MzMDJBRgA=",
    }
    client.mark_read("wamid.x", typing=True)
    assert sent(route)["typing_indicator"] == {"type": "text"}
    assert route.calls.last.request.headers["authorization"] == f"Bearer {TOKEN}"


def test_a_2xx_without_message_id_is_still_accepted(respx_mock, client):
    respx_mock.post(SEND_URL).respond(json={"messaging_product": "whatsapp"})
    assert client.send_text(to="1", body="oi").provider_message_id == ""


def test_token_never_in_repr(client):
    assert TOKEN not in repr(client) and PNID in repr(client)
    assert client.name == "meta"


# --- errors (2.7) ------------------------------------------------------------------------------


def graph_error(code, status_text="x", **extra):
    return {
        "error": {
            "message": f"(#{code}) {status_text}",
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": "details"},
            "fbtrace_id": "Az8or2yhqkZfEZ",
            **extra,
        }
    }


@pytest.mark.parametrize(
    "status, body, kind, code",
    [
        (400, graph_error(131047, "Re-engagement message"), TemplateRequiredError, 131047),
        (429, P.GRAPH_ERROR_RATE_LIMIT, TransientChannelError, 130429),
        (400, P.GRAPH_ERROR_RATE_LIMIT, TransientChannelError, 130429),
        (400, graph_error(131056), TransientChannelError, 131056),
        (429, graph_error(131056), TransientChannelError, 131056),
        (500, graph_error(131000), TransientChannelError, 131000),
        (400, graph_error(131000), TransientChannelError, 131000),
        (403, graph_error(4), TransientChannelError, 4),
        (400, graph_error(80007), TransientChannelError, 80007),
        (400, graph_error(100, "Invalid parameter"), PermanentChannelError, 100),
        (400, graph_error(131026, "Message undeliverable"), PermanentChannelError, 131026),
        (401, graph_error(190, "Invalid OAuth access token"), PermanentChannelError, 190),
        (400, graph_error(131030, "Recipient not in allowed list"), PermanentChannelError, 131030),
        (400, graph_error(131048, "Spam rate limit hit"), PermanentChannelError, 131048),
        (400, graph_error(100, is_transient=True), TransientChannelError, 100),
        (500, None, TransientChannelError, None),
        (502, "<html>Bad gateway</html>", TransientChannelError, None),
        (503, graph_error(2, "Service temporarily unavailable"), TransientChannelError, 2),
        (429, None, TransientChannelError, None),
        (408, None, TransientChannelError, None),
        (404, "<html>Not found</html>", PermanentChannelError, None),
    ],
)
def test_error_mapping(respx_mock, client, status, body, kind, code):
    response = httpx.Response(status, json=body) if isinstance(body, dict) else httpx.Response(status, text=body or "")
    route = respx_mock.post(SEND_URL).mock(return_value=response)
    with pytest.raises(kind) as info:
        client.send_text(to="16505551234", body="oi")
    error = info.value
    assert type(error) is kind
    assert (error.status, error.code) == (status, code)
    assert TOKEN not in str(error)
    assert route.call_count == 1  # no retries inside the client: the outbox owns them


def test_template_required_is_a_permanent_error(respx_mock, client):
    respx_mock.post(SEND_URL).respond(400, json=graph_error(131047))
    with pytest.raises(PermanentChannelError):
        client.send_template(to="1", name="x")


def test_error_message_has_metas_words(respx_mock, client):
    respx_mock.post(SEND_URL).respond(429, json=P.GRAPH_ERROR_RATE_LIMIT)
    with pytest.raises(TransientChannelError) as info:
        client.send_text(to="1", body="oi")
    text = str(info.value)
    assert "429" in text and "130429" in text and "Rate limit hit" in text and "Az8or2yhqkZfEZ-_4Qn_Bam" in text


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("read"),
        httpx.ConnectTimeout("connect"),
        httpx.WriteTimeout("write"),
        httpx.PoolTimeout("pool"),
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("dropped"),
    ],
    ids=lambda exc: type(exc).__name__,
)
def test_transport_failures_are_transient(respx_mock, client, failure):
    route = respx_mock.post(SEND_URL).mock(side_effect=failure)
    with pytest.raises(TransientChannelError) as info:
        client.mark_read("wamid.x")
    assert info.value.status is None and route.call_count == 1


def test_bad_graph_url_is_permanent():
    meta = MetaClient(phone_number_id=PNID, access_token=TOKEN, graph_url="ftp://graph.test")
    with pytest.raises(PermanentChannelError):
        meta.send_text(to="1", body="oi")


@pytest.mark.parametrize("kwargs", [{"phone_number_id": ""}, {"access_token": ""}])
def test_client_needs_its_credentials(kwargs):
    with pytest.raises(ValueError):
        MetaClient(**{"phone_number_id": PNID, "access_token": TOKEN, **kwargs})

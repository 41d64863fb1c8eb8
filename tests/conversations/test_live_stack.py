"""The whole way with real processes: gunicorn, the broker, a Celery worker, a fake provider.

These prove the acceptance lines that in-process tests cannot: a message over Meta or
Whaticket gets exactly one reply, even when the provider delivers it five times at once.
"""

import hashlib
import hmac
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django_tenants.utils import schema_context

from conversations.channels.services import channel_default_ensure
from conversations.channels.whaticket import sign
from conversations.models import Message
from tests.conftest import (
    INITECH_PHONE_NUMBER_ID,
    LIVE_META_SECRET,
    UMBRELLA_PHONE_NUMBER_ID,
    WAYNE_PHONE_NUMBER_ID,
    wait_until,
)
from tests.conversations import meta_payloads

pytestmark = pytest.mark.worker


def meta_text(phone: str, text: str) -> bytes:
    payload = json.loads(json.dumps(meta_payloads.TEXT))
    value = payload["entry"][0]["changes"][0]["value"]
    value["metadata"]["phone_number_id"] = INITECH_PHONE_NUMBER_ID
    value["contacts"][0]["wa_id"] = phone
    message = value["messages"][0]
    message.update({"from": phone, "id": f"wamid.{uuid.uuid4().hex}", "timestamp": str(int(time.time()))})
    message["text"]["body"] = text
    return json.dumps(payload).encode()


def post_meta(base_url: str, body: bytes) -> int:
    signature = "sha256=" + hmac.new(LIVE_META_SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = httpx.post(f"{base_url}/webhook/meta", content=body, timeout=10, headers={
        "Host": "localhost", "Content-Type": "application/json", "X-Hub-Signature-256": signature})
    return response.status_code


def settle(fake_providers, phone: str, expected: int = 1) -> list[dict]:
    wait_until(lambda: len(fake_providers.sends_to(phone)) >= expected, 40, f"reply to {phone}")
    time.sleep(2.5)  # longer than the debounce: a duplicate would have arrived by now
    return fake_providers.sends_to(phone)


def test_a_meta_text_gets_exactly_one_reply(db, live_web, fake_providers):
    phone = f"55119{uuid.uuid4().int % 10**8:08d}"

    assert post_meta(live_web, meta_text(phone, "Oi, bom dia!")) == 200

    [sent] = settle(fake_providers, phone)
    assert sent["path"].endswith(f"/{INITECH_PHONE_NUMBER_ID}/messages")
    assert sent["body"]["type"] == "text" and "Initech" in sent["body"]["text"]["body"]


def test_the_same_notification_five_times_at_once_gets_one_reply(db, live_web, fake_providers):
    phone = f"55119{uuid.uuid4().int % 10**8:08d}"
    body = meta_text(phone, "Vocês abrem sábado?")

    with ThreadPoolExecutor(max_workers=5) as pool:
        statuses = list(pool.map(lambda _: post_meta(live_web, body), range(5)))

    assert statuses == [200] * 5
    assert len(settle(fake_providers, phone)) == 1
    with schema_context("initech"):
        assert Message.objects.filter(contact__phone=phone, direction="in").count() == 1


def test_a_whaticket_message_gets_exactly_one_reply_through_the_send_api(db, live_web, fake_providers):
    phone = f"55119{uuid.uuid4().int % 10**8:08d}"
    with schema_context("hooli"):
        secret = channel_default_ensure().inbound_secret
    body = json.dumps({"key": {"remoteJid": f"{phone}@s.whatsapp.net", "fromMe": False, "id": uuid.uuid4().hex},
                       "messageTimestamp": int(time.time()), "pushName": "Carla",
                       "message": {"conversation": "Oi! Tudo bem?"}}).encode()
    timestamp = str(int(time.time()))

    with ThreadPoolExecutor(max_workers=5) as pool:
        statuses = list(pool.map(lambda _: httpx.post(f"{live_web}/webhook/whaticket", content=body, timeout=10,
                                                      headers={"Host": "hooli.localhost",
                                                               "Content-Type": "application/json",
                                                               "X-Secretaria-Timestamp": timestamp,
                                                               "X-Secretaria-Signature": sign(secret, timestamp, body)}
                                                      ).status_code, range(5)))

    assert statuses == [200] * 5
    [sent] = settle(fake_providers, phone)
    assert sent["path"] == "/api/messages/send" and "Carla" in sent["body"]["body"]


# --- several channels, and settings seen at once by every process ----------------------------------

def new_phone() -> str:
    return f"55119{uuid.uuid4().int % 10**8:08d}"


def meta_text_to(account: str, phone: str, text: str) -> bytes:
    payload = json.loads(meta_text(phone, text))
    payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = account
    return json.dumps(payload).encode()


def post_whaticket(base_url: str, host: str, secret: str, phone: str, text: str) -> int:
    body = json.dumps({"key": {"remoteJid": f"{phone}@s.whatsapp.net", "fromMe": False, "id": uuid.uuid4().hex},
                       "messageTimestamp": int(time.time()), "pushName": "Cliente",
                       "message": {"conversation": text}}).encode()
    response = httpx.post(f"{base_url}/webhook/whaticket/{secret}", content=body, timeout=10,
                          headers={"Host": host, "Content-Type": "application/json"})
    return response.status_code


def owner_token(slug: str) -> str:
    from tenants.models import Company
    from tests.conftest import member, tokens

    company = Company.objects.get(slug=slug)
    return tokens(company, member(company, "owner"))["access"]


def test_a_switch_from_meta_to_whaticket_answers_the_very_next_message_through_whaticket(
        db, live_web, fake_providers):
    """The bug this replaces: processes kept the old channel for seconds, and the first Whaticket
    customer was answered through the Meta API."""
    warm_phone = new_phone()
    assert post_meta(live_web, meta_text_to(UMBRELLA_PHONE_NUMBER_ID, warm_phone, "Oi, bom dia!")) == 200
    [warm] = settle(fake_providers, warm_phone)  # web and worker now hold umbrella's Meta channel
    assert warm["path"].endswith(f"/{UMBRELLA_PHONE_NUMBER_ID}/messages")

    switched = httpx.put(f"{live_web}/api/channel", timeout=10,
                         json={"kind": "whaticket", "base_url": fake_providers.url, "token": "tok-umbrella"},
                         headers={"Host": "umbrella.localhost", "Authorization": f"Bearer {owner_token('umbrella')}"})
    assert switched.status_code == 200, switched.text
    secret = switched.json()["webhook_url"].rsplit("/", 1)[-1]
    time.sleep(0.1)
    phone = new_phone()

    assert post_whaticket(live_web, "umbrella.localhost", secret, phone, "Oi! Vocês abrem sábado?") == 200

    sent = settle(fake_providers, phone)
    assert [s["path"] for s in sent] == ["/api/messages/send"]


def test_two_numbers_of_one_company_answer_each_contact_through_its_own_number(db, live_web, fake_providers,
                                                                               live_channels):
    """wayne: reception on Meta, a second unit on Whaticket; 50 contacts on each, all at once."""
    secret = live_channels["wayne_whaticket_secret"]
    meta_phones = [new_phone() for _ in range(50)]
    whaticket_phones = [new_phone() for _ in range(50)]

    def send(job):
        kind, phone = job
        if kind == "meta":
            return post_meta(live_web, meta_text_to(WAYNE_PHONE_NUMBER_ID, phone, "Oi, quanto custa?"))
        return post_whaticket(live_web, "wayne.localhost", secret, phone, "Oi, quanto custa?")

    jobs = [("meta", p) for p in meta_phones] + [("whaticket", p) for p in whaticket_phones]
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(send, jobs))

    assert statuses == [200] * 100
    wait_until(lambda: all(fake_providers.sends_to(p) for p in meta_phones + whaticket_phones), 90, "100 replies")
    time.sleep(2.5)
    meta_path = f"/{WAYNE_PHONE_NUMBER_ID}/messages"
    crossed = [p for p in meta_phones if any(not s["path"].endswith(meta_path) for s in fake_providers.sends_to(p))]
    crossed += [p for p in whaticket_phones
                if any(s["path"] != "/api/messages/send" for s in fake_providers.sends_to(p))]
    assert crossed == [], [fake_providers.sends_to(p) for p in crossed[:2]]
    assert all(len(fake_providers.sends_to(p)) == 1 for p in meta_phones + whaticket_phones)

import pytest
import structlog

from secretaria.observability.masking import mask_text, mask_value

PHONES = ["+55 (11) 91234-5678", "5511912345678", "11 91234-5678", "+55 11 91234 5678", "(11) 3123-4567"]
UNTOUCHED = [
    "2025-03-14T09:30:00.123456+00:00",
    "14/03/2025 09:30",
    "550e8400-e29b-41d4-a716-446655440000",
    "12345678-1234-1234-1234-123456789012",
    "3f2b9c4d5e6f708192a3b4c5d6e7f809",
    "abc-123",
    "R$ 150,00",
    "R$ 1.234,56",
    "pedido 42 de 2025, mesa 7",
]


@pytest.mark.parametrize("phone", PHONES)
def test_phone_numbers_keep_only_their_last_four_digits(phone):
    masked = mask_text(f"ligar para {phone} amanhã")
    assert masked == f"ligar para ***-{phone[-4:]} amanhã"


def test_a_whatsapp_jid_does_not_reveal_the_number():
    masked = mask_text("de 5511912345678@s.whatsapp.net")
    assert "912345678" not in masked
    assert masked.endswith("@s.whatsapp.net")


def test_email_addresses_keep_only_the_first_letter_and_the_domain():
    assert mask_text("maria.silva+x@example.com.br escreveu") == "m***@example.com.br escreveu"


@pytest.mark.parametrize("cpf", ["123.456.789-09", "12345678909"])
def test_cpfs_keep_only_their_check_digits(cpf):
    assert mask_text(f"cpf {cpf}.") == "cpf ***.***.***-09."


@pytest.mark.parametrize("text", UNTOUCHED)
def test_timestamps_ids_prices_and_short_numbers_are_not_mangled(text):
    assert mask_text(text) == text


@pytest.mark.parametrize("key", ["password", "token", "api_key", "api-key", "Authorization", "refresh_token"])
def test_values_under_secret_looking_keys_are_redacted(key):
    assert mask_value({key: "s3cr3t"}) == {key: "[redacted]"}


def test_nested_dicts_and_lists_are_masked():
    event = {"customer": {"contacts": ["maria@example.com", {"phone": "11 91234-5678", "token": "x"}]}}
    assert mask_value(event) == {
        "customer": {"contacts": ["m***@example.com", {"phone": "***-5678", "token": "[redacted]"}]}
    }


def test_request_id_header_is_echoed_back(acme, api):
    response = api(acme, "owner").get("/api/me", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"


def test_a_request_without_an_id_gets_a_generated_one(acme, api):
    first = api(acme, "owner").get("/api/me")["X-Request-ID"]
    second = api(acme, "owner").get("/api/me")["X-Request-ID"]
    assert len(first) == 32 and first != second


@pytest.mark.parametrize("bad_id", ["abc 123", "x" * 129, 'a"b', "ação"])
def test_an_invalid_incoming_request_id_is_replaced(acme, api, bad_id):
    response = api(acme, "owner").get("/api/me", HTTP_X_REQUEST_ID=bad_id)
    assert response["X-Request-ID"] != bad_id
    assert len(response["X-Request-ID"]) == 32


def test_the_request_log_line_carries_request_id_and_company(acme, api, json_logs):
    api(acme, "owner").get("/api/me", HTTP_X_REQUEST_ID="abc-123")
    line = next(e for e in json_logs() if e["event"] == "request" and e["path"] == "/api/me")
    assert line["request_id"] == "abc-123"
    assert line["company"] == "acme"
    assert (line["method"], line["status"], line["level"]) == ("GET", 200, "info")


def test_probes_are_not_logged(db, api, json_logs):
    api(None).get("/healthz")
    assert not [e for e in json_logs() if e.get("path") == "/healthz"]


def test_log_calls_render_masked_personal_data(json_logs):
    structlog.get_logger("t").info("contato", phone="+55 11 91234-5678", email="maria@example.com", password="s3cr3t")
    line = next(e for e in json_logs() if e["event"] == "contato")
    assert (line["phone"], line["email"], line["password"]) == ("***-5678", "m***@example.com", "[redacted]")
    assert line["logger"] == "t"


def test_stdlib_log_messages_are_masked_too(json_logs):
    import logging

    logging.getLogger("t.stdlib").warning("cliente 11 91234-5678 sem resposta")
    line = next(e for e in json_logs() if e["logger"] == "t.stdlib")
    assert line["event"] == "cliente ***-5678 sem resposta"

"""EMAIL_URL (django-environ) picks the mail backend (`make run` sets a file one, under .data/mail/).

Settings are read once per process: each case runs Django in a fresh interpreter with its environment.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEND = """
import django, json
django.setup()
from django.conf import settings
from django.core.mail import send_mail
send_mail("Cota de IA em 80 %", "Sua empresa usou 80 % dos tokens de IA.", None, ["dono@acme.test"])
print(json.dumps({"backend": settings.EMAIL_BACKEND, "path": str(getattr(settings, "EMAIL_FILE_PATH", "")),
                  "host": settings.EMAIL_HOST, "port": settings.EMAIL_PORT, "tls": settings.EMAIL_USE_TLS,
                  "password": settings.EMAIL_HOST_PASSWORD, "from": settings.DEFAULT_FROM_EMAIL}))
"""
READ = SEND.replace('send_mail("Cota', '0 and send_mail("Cota')


def django_with(code: str, **env: str) -> dict:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_URL")}
    environment = {**inherited, "DJANGO_SETTINGS_MODULE": "secretaria.settings", **env}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True,
                          timeout=60, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_file_url_writes_each_message_to_a_file_there(tmp_path):
    mail = tmp_path / "mail"

    settings = django_with(SEND, EMAIL_URL=f"filemail:///{mail}")

    assert settings["backend"] == "django.core.mail.backends.filebased.EmailBackend"
    assert settings["path"] == str(mail)
    (written,) = mail.iterdir()
    text = written.read_text()
    assert "Subject: Cota de IA em 80 %" in text or "Subject: =?utf-8?" in text
    assert "To: dono@acme.test" in text and "From: Secretaria" in text


def test_an_smtp_url_gives_host_port_tls_and_credentials():
    settings = django_with(READ, EMAIL_URL="smtp+tls://alertas%40acme.test:s3nh%40@smtp.exemplo.com.br:587")

    assert settings["backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (settings["host"], settings["port"], settings["tls"]) == ("smtp.exemplo.com.br", 587, True)
    assert settings["password"] == "s3nh@"


def test_the_url_may_come_from_a_file_as_other_secrets_do(tmp_path):
    secret = tmp_path / "email_url"
    secret.write_text("smtp+tls://u:segredo@smtp.exemplo.com.br:587\n")

    settings = django_with(READ, EMAIL_URL_FILE=str(secret))

    assert (settings["host"], settings["password"]) == ("smtp.exemplo.com.br", "segredo")


def test_without_a_url_mail_is_printed_not_lost_or_sent():
    settings = django_with(READ)

    assert settings["backend"] == "django.core.mail.backends.console.EmailBackend"

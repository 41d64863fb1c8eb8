"""Whaticket wire examples (docs/contracts/whaticket.md §1) as Python dicts.

The bare §1.x in the comments below are sections of docs/contracts/whaticket.md.
Provenance: TEXT is the illustrative body of §1.4 verbatim (itself assembled from
WAProto field names); every other inbound example is [CONSTRUCTED] from WAProto field
names (`WhiskeySockets/Baileys` WAProto.proto) in the same shape; the Send API bodies
are quoted from the §1.1–§1.3 tables, which describe the projects' observed behaviour.
"""

import copy
import json

JID = "5511999998888@s.whatsapp.net"
PHONE = "5511999998888"
TS = 1717777777  # 2024-06-07T16:29:37Z


def info(message: dict | None, *, id="3EB0A1B2C3D4E5F60718", remote_jid=JID, from_me=False, **extra) -> dict:
    """A Baileys WebMessageInfo around `message`, like the SaaS integration posts it."""
    body = {
        "key": {"remoteJid": remote_jid, "fromMe": from_me, "id": id},
        "messageTimestamp": TS,
        "pushName": "Maria",
        "broadcast": False,
    }
    if message is not None:
        body["message"] = message
    body.update(extra)
    return body


def wrapped(payload: dict) -> dict:
    """The fork variant `{"message": WebMessageInfo}` (docs/contracts/whaticket.md §1.5 item 3)."""
    return {"message": copy.deepcopy(payload)}


# --- §1.4 illustrative body (verbatim) --------------------------------------------------

TEXT = {
    "key": {"remoteJid": "5511999998888@s.whatsapp.net", "fromMe": False, "id": "3EB0A1B2C3D4E5F60718"},
    "messageTimestamp": 1717777777,
    "pushName": "Maria",
    "broadcast": False,
    "message": {"conversation": "Quero marcar uma consulta amanhã"},
}

# --- one example per kind ---------------------------------------------------------------

EXTENDED_TEXT_REPLY = info(
    {
        "extendedTextMessage": {
            "text": "Pode ser às 10h?",
            "contextInfo": {
                "stanzaId": "BAE5F00000000001",
                "participant": "5511000000000@s.whatsapp.net",
                "quotedMessage": {"conversation": "Temos horário amanhã às 10h ou 14h."},
            },
        },
        "messageContextInfo": {"deviceListMetadataVersion": 2},
    },
    id="3EB0EXT0001",
)

IMAGE = info(
    {
        "imageMessage": {
            "url": "https://mmg.whatsapp.net/o1/v/t62.7118-24/abc.enc",
            "mimetype": "image/jpeg",
            "caption": "Foto do exame",
            "fileSha256": "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=",
            "fileLength": "48213",
            "height": 1280,
            "width": 960,
            "mediaKey": "dGhpcyBpcyBub3QgYSByZWFsIGtleQ==",
            "directPath": "/o1/v/t62.7118-24/abc.enc",
            "mediaKeyTimestamp": "1717777770",
            "jpegThumbnail": "/9j/4AAQSkZJRg==",
        }
    },
    id="3EB0IMG0001",
)

# The same bytes as `JSON.stringify` writes a Node Buffer.
IMAGE_BUFFER_SHA = info(
    {"imageMessage": {"mimetype": "image/png", "fileSha256": {"type": "Buffer", "data": [1, 2, 3, 255]}}},
    id="3EB0IMG0002",
)

VIDEO = info(
    {
        "videoMessage": {
            "url": "https://mmg.whatsapp.net/v/t62.7161-24/vid.enc",
            "mimetype": "video/mp4",
            "caption": "Olha o barulho",
            "fileSha256": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            "seconds": 12,
            "gifPlayback": False,
        }
    },
    id="3EB0VID0001",
)

DOCUMENT = info(
    {
        "documentMessage": {
            "url": "https://mmg.whatsapp.net/v/t62.7119-24/doc.enc",
            "mimetype": "application/pdf",
            "title": "pedido-medico",
            "fileSha256": "ZmFrZS1zaGEyNTYtb2YtdGhlLXBkZi1maWxlLTEyMzQ=",
            "fileLength": {"low": 91234, "high": 0, "unsigned": True},
            "pageCount": 1,
            "fileName": "pedido-medico.pdf",
        }
    },
    id="3EB0DOC0001",
)

DOCUMENT_WITH_CAPTION = info(
    {
        "documentWithCaptionMessage": {
            "message": {
                "documentMessage": {
                    "url": "https://mmg.whatsapp.net/v/t62.7119-24/doc2.enc",
                    "mimetype": "application/pdf",
                    "fileName": "carteirinha.pdf",
                    "caption": "Minha carteirinha do convênio",
                }
            }
        }
    },
    id="3EB0DOC0002",
)

AUDIO_VOICE = info(
    {
        "audioMessage": {
            "url": "https://mmg.whatsapp.net/v/t62.7117-24/ptt.enc",
            "mimetype": "audio/ogg; codecs=opus",
            "fileSha256": "cHR0LXNoYTI1Ng==",
            "seconds": 7,
            "ptt": True,
        }
    },
    id="3EB0AUD0001",
)

AUDIO_FILE = info(
    {"audioMessage": {"url": "https://mmg.whatsapp.net/v/t62.7114-24/song.enc", "mimetype": "audio/mpeg",
                      "ptt": False}},
    id="3EB0AUD0002",
)

STICKER = info(
    {
        "stickerMessage": {
            "url": "https://mmg.whatsapp.net/v/t62.15575-24/stk.enc",
            "mimetype": "image/webp",
            "fileSha256": "c3RpY2tlcg==",
            "isAnimated": True,
        }
    },
    id="3EB0STK0001",
)

LOCATION = info(
    {
        "locationMessage": {
            "degreesLatitude": -23.561414,
            "degreesLongitude": -46.655881,
            "name": "Clínica Sorriso",
            "address": "Av. Paulista, 1000 - São Paulo",
            "url": "https://maps.google.com/?q=-23.561414,-46.655881",
        }
    },
    id="3EB0LOC0001",
)

LIVE_LOCATION = info(
    {
        "liveLocationMessage": {
            "degreesLatitude": -22.9068,
            "degreesLongitude": -43.1729,
            "caption": "Estou chegando",
            "sequenceNumber": "1717777700001",
        }
    },
    id="3EB0LOC0002",
)

VCARD_ANA = (
    "BEGIN:VCARD\nVERSION:3.0\nN:Souza;Ana;;;\nFN:Ana Souza\n"
    "item1.TEL;waid=5511988887777:+55 11 98888-7777\nitem1.X-ABLabel:Celular\nEND:VCARD"
)
VCARD_BRUNO = "BEGIN:VCARD\nVERSION:3.0\nFN:Bruno Lima\nTEL;type=CELL;type=VOICE:+55 21 3333-4444\nEND:VCARD"

CONTACT = info({"contactMessage": {"displayName": "Ana Souza", "vcard": VCARD_ANA}}, id="3EB0CON0001")

CONTACTS_ARRAY = info(
    {
        "contactsArrayMessage": {
            "displayName": "2 contatos",
            "contacts": [
                {"displayName": "Ana Souza", "vcard": VCARD_ANA},
                {"displayName": "Bruno Lima", "vcard": VCARD_BRUNO},
            ],
        }
    },
    id="3EB0CON0002",
)

BUTTONS_RESPONSE = info(
    {
        "buttonsResponseMessage": {
            "selectedButtonId": "confirm_yes",
            "selectedDisplayText": "Sim, confirmo",
            "type": "DISPLAY_TEXT",
            "contextInfo": {"stanzaId": "BAE5BTN0000001"},
        }
    },
    id="3EB0INT0001",
)

LIST_RESPONSE = info(
    {
        "listResponseMessage": {
            "title": "Limpeza",
            "listType": "SINGLE_SELECT",
            "singleSelectReply": {"selectedRowId": "svc_cleaning"},
            "description": "30 minutos",
            "contextInfo": {"stanzaId": "BAE5LST0000001"},
        }
    },
    id="3EB0INT0002",
)

TEMPLATE_BUTTON_REPLY = info(
    {"templateButtonReplyMessage": {"selectedId": "reschedule", "selectedDisplayText": "Remarcar", "selectedIndex": 1}},
    id="3EB0INT0003",
)

REACTION = info(
    {
        "reactionMessage": {
            "key": {"remoteJid": JID, "fromMe": True, "id": "BAE5OURS0000001"},
            "text": "👍",
            "senderTimestampMs": "1717777776000",
        }
    },
    id="3EB0REA0001",
)

UNREACTION = info(
    {"reactionMessage": {"key": {"remoteJid": JID, "fromMe": True, "id": "BAE5OURS0000001"}, "text": ""}},
    id="3EB0REA0002",
)

POLL = info(
    {"pollCreationMessage": {"name": "Melhor horário?", "options": [{"optionName": "Manhã"}],
                             "selectableOptionsCount": 1}},
    id="3EB0POL0001",
)

# --- wrappers around the content ---------------------------------------------------------

EPHEMERAL_TEXT = info(
    {"ephemeralMessage": {"message": {"extendedTextMessage": {"text": "Mensagem temporária", "contextInfo": {
        "expiration": 604800}}}}},
    id="3EB0EPH0001",
)

VIEW_ONCE_V2_IMAGE = info(
    {"viewOnceMessageV2": {"message": {"imageMessage": {"mimetype": "image/jpeg", "caption": "só uma vez",
                                                        "viewOnce": True}}}},
    id="3EB0VO20001",
)

VIEW_ONCE_VIDEO = info(
    {"viewOnceMessage": {"message": {"videoMessage": {"mimetype": "video/mp4", "viewOnce": True}}}},
    id="3EB0VO10001",
)

EPHEMERAL_VIEW_ONCE = info(
    {"ephemeralMessage": {"message": {"viewOnceMessageV2": {"message": {"imageMessage": {"caption": "dupla"}}}}}},
    id="3EB0VO30001",
)

# --- nothing to answer -------------------------------------------------------------------

FROM_ME = info({"conversation": "Olá! Sua consulta está confirmada."}, from_me=True, id="BAE5OURS0000002")
GROUP = info(
    {"conversation": "Bom dia, grupo"},
    remote_jid="120363025246125486@g.us",
    id="3EB0GRP0001",
    participant="5511999998888@s.whatsapp.net",
)
STATUS_BROADCAST = info(
    {"imageMessage": {"caption": "meu status"}},
    remote_jid="status@broadcast",
    id="3EB0STA0001",
    participant="5511999998888@s.whatsapp.net",
)
NEWSLETTER = info({"conversation": "novidades"}, remote_jid="120363123456789012@newsletter", id="3EB0NEW0001")
REVOKE = info(
    {"protocolMessage": {"key": {"remoteJid": JID, "fromMe": False, "id": "3EB0A1B2C3D4E5F60718"}, "type": "REVOKE"}},
    id="3EB0PRO0001",
)
EDIT = info(
    {"editedMessage": {"message": {"protocolMessage": {"key": {"id": "3EB0A1B2C3D4E5F60718"}, "type": "MESSAGE_EDIT",
                                                       "editedMessage": {"conversation": "corrigido"}}}}},
    id="3EB0PRO0002",
)
STUB_NO_MESSAGE = info(None, id="3EB0STB0001", messageStubType=2, messageStubParameters=["No session"])
ONLY_BOOKKEEPING = info(
    {"senderKeyDistributionMessage": {"groupId": "x"}, "messageContextInfo": {"deviceListMetadataVersion": 2}},
    id="3EB0SKD0001",
)

# --- addressing: device suffix, @c.us, @lid ----------------------------------------------

DEVICE_SUFFIX = info({"conversation": "do computador"}, remote_jid="5511999998888:12@s.whatsapp.net", id="3EB0DEV0001")
C_US = info({"conversation": "whatsapp-web.js style"}, remote_jid="5511999998888@c.us", id="3EB0CUS0001")
LID_WITH_SENDER_PN = info({"conversation": "via lid"}, remote_jid="272516946294519@lid", id="3EB0LID0001")
LID_WITH_SENDER_PN["key"]["senderPn"] = "5511999998888@s.whatsapp.net"
LID_WITH_REMOTE_ALT = info({"conversation": "via lid v7"}, remote_jid="272516946294519@lid", id="3EB0LID0002")
LID_WITH_REMOTE_ALT["key"].update({"remoteJidAlt": "5511999998888@s.whatsapp.net", "addressingMode": "lid"})
LID_ONLY = info({"conversation": "sem telefone"}, remote_jid="272516946294519@lid", id="3EB0LID0003")

# --- messageTimestamp in its three serialisations -----------------------------------------

TIMESTAMP_STRING = info({"conversation": "ts string"}, id="3EB0TS0001", messageTimestamp="1717777777")
TIMESTAMP_LONG = info(
    {"conversation": "ts long"}, id="3EB0TS0002", messageTimestamp={"low": 1717777777, "high": 0, "unsigned": True}
)

# --- other envelopes ------------------------------------------------------------------------

WRAPPED_WITH_CONTACT_TICKET = {
    "message": info({"conversation": "Oi"}, remote_jid="272516946294519@lid", id="3EB0WRP0001"),
    "contact": {"id": 42, "name": "Maria Silva", "number": "5511999998888", "isGroup": False},
    "ticket": {"id": 7, "status": "pending", "isGroup": False},
}

# Socket.IO `appMessage` of the original Whaticket (a Message row, no Baileys data).
APP_MESSAGE_ROW = {
    "action": "create",
    "message": {
        "id": "3EB0ROW0001",
        "ack": 0,
        "read": False,
        "fromMe": False,
        "body": "Boa tarde, vocês atendem sábado?",
        "mediaUrl": None,
        "mediaType": "chat",
        "isDeleted": False,
        "createdAt": "2024-06-07T16:29:37.000Z",
        "updatedAt": "2024-06-07T16:29:37.000Z",
        "quotedMsgId": None,
        "ticketId": 7,
        "contactId": 42,
        "contact": {"id": 42, "name": "Maria Silva", "number": "5511999998888"},
    },
    "ticket": {"id": 7, "status": "pending", "isGroup": False, "contact": {"number": "5511999998888"}},
    "contact": {"id": 42, "name": "Maria Silva", "number": "5511999998888", "isGroup": False},
}

APP_MESSAGE_ROW_AUDIO = copy.deepcopy(APP_MESSAGE_ROW)
APP_MESSAGE_ROW_AUDIO["message"].update(
    {"id": "3EB0ROW0002", "body": "audio.ogg", "mediaType": "ptt",
     "mediaUrl": "https://whaticket.example/public/1717777777-audio.ogg"}
)

# The SaaS row keeps the whole Baileys message as JSON text in `dataJson`.
APP_MESSAGE_DATA_JSON = copy.deepcopy(APP_MESSAGE_ROW)
APP_MESSAGE_DATA_JSON["message"].update({"id": "3EB0IMG0001", "mediaType": "image", "dataJson": json.dumps(IMAGE)})

APP_MESSAGE_UPDATE = copy.deepcopy(APP_MESSAGE_ROW)
APP_MESSAGE_UPDATE["action"] = "update"

APP_MESSAGE_GROUP = copy.deepcopy(APP_MESSAGE_ROW)
APP_MESSAGE_GROUP["ticket"]["isGroup"] = True

# --- Send API ----------------------------------------------------------------------------------

SEND_OK_ORIGINAL = b""  # §1.1: 200 with an empty body
SEND_OK_SAAS = {"mensagem": "Mensagem enviada"}  # §1.2
SEND_OK_TICKETZ = {"mensagem": "Message added to queue"}  # §1.3

ERR_NO_AUTH_HEADER = {"error": "ERR_SESSION_EXPIRED"}  # §1.1, 401
ERR_INVALID_TOKEN = {"error": "Invalid token. We'll try to assign a new one on next request"}  # §1.1, 403
ERR_ACCESS_DENIED = {"error": "Acesso não permitido"}  # §1.2/§1.3, 401
ERR_NUMBER_FORMAT = {"error": "Invalid number format. Only numbers is allowed."}  # §1.1, 400
ERR_INVALID_CONTACT = {"error": "ERR_WAPP_INVALID_CONTACT"}  # §1.1, 400
ERR_CHECK_CONTACT = {"error": "ERR_WAPP_CHECK_CONTACT"}  # §1.1, 400
ERR_SENDING = {"error": "ERR_SENDING_WAPP_MSG"}  # §1.1, 400
ERR_WHATSAPP_ID = {"error": "whatsapp #3 not found"}  # §1.1, 400
ERR_SAAS_GENERIC = {"error": "Não foi possível enviar a mensagem, tente novamente em alguns instantes"}  # §1.2, 400
ERR_SYNTAX = {"error": "ERR_SYNTAX"}  # §1.3, 400
ERR_WHATSAPP_NOT_FOUND = {"error": "ERR_WHATSAPP_NOT_FOUND"}  # §1.3, 404
ERR_INTERNAL = {"error": "ERR_INTERNAL_ERROR"}  # §1.3, 500
ERR_INTERNAL_ORIGINAL = {"error": "Internal server error"}  # §1.1, 500
ERR_NOT_INITIALIZED = {"error": "ERR_WAPP_NOT_INITIALIZED"}  # vendor source (getWbot), 400

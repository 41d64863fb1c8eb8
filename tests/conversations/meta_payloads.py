"""Meta WhatsApp Cloud API wire payloads (docs/contracts/meta.md §2), as Python dicts.

Full payloads for the examples that docs/contracts/meta.md describes in §2.4 (inbound messages),
§2.5 (statuses, errors webhook), §2.6 (send response) and §2.7 (error envelope); each comment
names the section and example it belongs to. Provenance tags: `VERBATIM [SPEC]` is an example
from Meta's OpenAPI description (github.com/facebook/openapi); `VERBATIM [3P-REAL …]` is a real,
anonymised payload published as test data by the pywa library (github.com/david-lev/pywa,
tests/data/updates), named after its sample; `VERBATIM [DOC …]` comes from Meta's developer docs.
The few `CONSTRUCTED` ones are derived from a verbatim example by changing only the field named
in the comment.
"""

import copy

# VERBATIM [SPEC] "Text Message" — docs/contracts/meta.md §2.4, "text".
TEXT = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "419561257915477",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
                        "messages": [
                            {
                                "from": "16505551234",
                                "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
                                "timestamp": "1749416383",
                                "type": "text",
                                "text": {"body": "Does it come in another color?"},
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [SPEC] text with context.referred_product — docs/contracts/meta.md §2.4, "text_referred_product".
TEXT_REFERRED_PRODUCT = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "102290129340398",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
                        "messages": [
                            {
                                "context": {
                                    "from": "15550783881",
                                    "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGA9wcm9kdWN0X2lucXVpcnkA",
                                    "referred_product": {
                                        "catalog_id": "194836987003835",
                                        "product_retailer_id": "di9ozbzfi4",
                                    },
                                },
                                "from": "16505551234",
                                "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTA2NTUwRkNEMDdFQjJCRUU0NQA=",
                                "timestamp": "1750016800",
                                "text": {"body": "Is this still available?"},
                                "type": "text",
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [SPEC] text from a Click-to-WhatsApp ad (referral) — docs/contracts/meta.md §2.4, "text_ad_referral".
TEXT_AD_REFERRAL = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "102290129340398",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
                        "messages": [
                            {
                                "referral": {
                                    "source_url": "https://fb.me/3cr4Wqqkv",
                                    "source_id": "120226305854810726",
                                    "source_type": "ad",
                                    "body": "Summer Succulents are here!",
                                    "headline": "Chat with us",
                                    "media_type": "image",
                                    "image_url": "https://scontent.xx.fbcdn.net/v/t45.1...",
                                    "ctwa_clid": "Aff-n8ZTODiE79d22KtAwQKj9e_mIEOOj27vDVwFjN80dp4_0NiNhEgpGo0AHemvuSoifXaytfTzcchptiErTKCqTrJ5nW1h7IHYeYymGb5K5J5iTROpBhWAGaIAeUzHL50",  # noqa: E501
                                    "welcome_message": {"text": "Hi there! Let us know how we can help!"},
                                },
                                "from": "16505551234",
                                "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUQ0N0VFMDA2MTQ0RkJFNkNDNAA=",
                                "timestamp": "1750275992",
                                "text": {"body": "Hello! Can I get more info on this?"},
                                "type": "text",
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [SPEC] "Image Message" — docs/contracts/meta.md §2.4, "image".
IMAGE = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "419561257915477",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
                        "messages": [
                            {
                                "from": "16505551234",
                                "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
                                "timestamp": "1744344496",
                                "type": "image",
                                "image": {
                                    "caption": "Taj Mahal",
                                    "mime_type": "image/jpeg",
                                    "sha256": "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=",
                                    "id": "1003383421387256",
                                },
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [3P-REAL pywa media_with_url] image with a direct url and BSUID contact fields —
# docs/contracts/meta.md §2.4, "image_with_url".
IMAGE_WITH_URL = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "1234567890987654321",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "972123456789", "phone_number_id": "1122334455667"},
                        "contacts": [
                            {
                                "profile": {"name": "Test Name"},
                                "wa_id": "972987654321",
                                "user_id": "US.13491208655302741918",
                                "parent_user_id": "US.ENT.11815799212886844830",
                            }
                        ],
                        "messages": [
                            {
                                "from": "972987654321",
                                "id": "wamid.xyzxyz",
                                "timestamp": "1697043379",
                                "type": "image",
                                "image": {
                                    "mime_type": "image/jpeg",
                                    "sha256": "4654+8g=",
                                    "id": "65463453",
                                    "url": "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=65463453&source=webhook&ext=487r9re&hash=heiwchueowbcew-dnedcw",  # noqa: E501
                                },
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [3P-REAL pywa voice] voice note — docs/contracts/meta.md §2.4, "audio_voice".
AUDIO_VOICE = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "1234567890987654321",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "972123456789", "phone_number_id": "1122334455667"},
                        "contacts": [
                            {
                                "profile": {"name": "Test Name"},
                                "wa_id": "972987654321",
                                "user_id": "US.13491208655302741918",
                                "parent_user_id": "US.ENT.11815799212886844830",
                            }
                        ],
                        "messages": [
                            {
                                "from": "972987654321",
                                "id": "wamid.xyzxyz",
                                "timestamp": "1697043473",
                                "type": "audio",
                                "audio": {
                                    "mime_type": "audio/ogg; codecs=opus",
                                    "sha256": "m04pFf2ERdaopTyFkGPA0+bX3i+YY2dYgVFwOgDLSDI=",
                                    "id": "1234567890987654321",
                                    "voice": True,
                                },
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [3P-REAL pywa audio] audio file, forwarded — docs/contracts/meta.md §2.4, "audio_file_forwarded".
AUDIO_FILE_FORWARDED = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "1234567890987654321",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "972123456789", "phone_number_id": "1122334455667"},
                        "contacts": [
                            {
                                "profile": {"name": "Test Name"},
                                "wa_id": "972987654321",
                                "user_id": "US.13491208655302741918",
                                "parent_user_id": "US.ENT.11815799212886844830",
                            }
                        ],
                        "messages": [
                            {
                                "context": {"forwarded": True},
                                "from": "972987654321",
                                "id": "wamid.xyzxyz",
                                "timestamp": "1697043509",
                                "type": "audio",
                                "audio": {
                                    "mime_type": "audio/ogg; codecs=opus",
                                    "sha256": "E3dxS/PdYZE7ppA3pQ4mpCFaXBJ8pX4SRN/dsfvds/iPGA=",
                                    "id": "1234567890987654321",
                                    "voice": False,
                                },
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [3P-REAL pywa video] — docs/contracts/meta.md §2.4, "video".
VIDEO = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "1234567890987654321",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "972123456789", "phone_number_id": "1122334455667"},
                        "contacts": [
                            {
                                "profile": {"name": "Test Name"},
                                "wa_id": "972987654321",
                                "user_id": "US.13491208655302741918",
                                "parent_user_id": "US.ENT.11815799212886844830",
                            }
                        ],
                        "messages": [
                            {
                                "context": {"forwarded": True},
                                "from": "972987654321",
                                "id": "wamid.xyzxyz",
                                "timestamp": "1697044362",
                                "type": "video",
                                "video": {
                                    "caption": "caption",
                                    "mime_type": "video/mp4",
                                    "sha256": "Jh+2ij6PzUv/J2y+grrtegr/ZMzRxkEPwc24Oyib4s03w9Jc=",
                                    "id": "765756756",
                                },
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [3P-REAL pywa document] — docs/contracts/meta.md §2.4, "document".
DOCUMENT = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "1234567890987654321",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "972123456789", "phone_number_id": "1122334455667"},
                        "contacts": [
                            {
                                "profile": {"name": "Test Name"},
                                "wa_id": "972987654321",
                                "user_id": "US.13491208655302741918",
                                "parent_user_id": "US.ENT.11815799212886844830",
                            }
                        ],
                        "messages": [
                            {
                                "context": {"forwarded": True},
                                "from": "972987654321",
                                "id": "wamid.xyzxyz",
                                "timestamp": "1697043666",
                                "type": "document",
                                "document": {
                                    "caption": "caption",
                                    "filename": "filename.pdf",
                                    "mime_type": "application/pdf",
                                    "sha256": "grwfwe/ZPx0wAbdfbdeFUNItPZ0RylL8gGUvdt3YFqc18SY=",
                                    "id": "1234567890987654321",
                                },
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [3P-REAL pywa] sticker, animated false — docs/contracts/meta.md §2.4, "sticker_static".
STICKER_STATIC = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "1234567890987654321",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "972123456789", "phone_number_id": "1122334455667"},
                        "contacts": [
                            {
                                "profile": {"name": "Test Name"},
                                "wa_id": "972987654321",
                                "user_id": "US.13491208655302741918",
                                "parent_user_id": "US.ENT.11815799212886844830",
                            }
                        ],
                        "messages": [
                            {
                                "from": "972987654321",
                                "id": "wamid.xyzxyz",
                                "timestamp": "1697043760",
                                "type": "sticker",
                                "sticker": {
                                    "mime_type": "image/webp",
                                    "sha256": "OmT4nhjUhCMIPNmj7eeOZeCYjTXkLxoOv85OMCFwSuc=",
                                    "id": "1234567890987654321",
                                    "animated": False,
                                },
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [3P-REAL pywa] sticker, animated true — docs/contracts/meta.md §2.4, "sticker_animated".
STICKER_ANIMATED = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "1234567890987654321",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "972123456789", "phone_number_id": "1122334455667"},
                        "contacts": [
                            {
                                "profile": {"name": "Test Name"},
                                "wa_id": "972987654321",
                                "user_id": "US.13491208655302741918",
                                "parent_user_id": "US.ENT.11815799212886844830",
                            }
                        ],
                        "messages": [
                            {
                                "from": "972987654321",
                                "id": "wamid.xyzxyz",
                                "timestamp": "1697043785",
                                "type": "sticker",
                                "sticker": {
                                    "mime_type": "image/webp",
                                    "sha256": "HcwyCKrTKXHk0a00ms4HWIA76GY0Du6q4Z/iuwevw=",
                                    "id": "1234567890987654321",
                                    "animated": True,
                                },
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [SPEC] "Location Message" (named place) — docs/contracts/meta.md §2.4, "location".
LOCATION = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "419561257915477",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
                        "messages": [
                            {
                                "from": "16505551234",
                                "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTU2MjZEMDBGRkE3MENEMDE0RQA=",
                                "timestamp": "1744344496",
                                "location": {
                                    "address": "101 Forest Ave, Palo Alto, CA 94301",
                                    "latitude": 37.44221496582,
                                    "longitude": -122.16165924072,
                                    "name": "Philz Coffee",
                                    "url": "https://philzcoffee.com/",
                                },
                                "type": "location",
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [3P-REAL pywa current_location] coordinates only — docs/contracts/meta.md §2.4, "location_current".
LOCATION_CURRENT = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "1234567890987654321",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "972123456789", "phone_number_id": "1122334455667"},
                        "contacts": [
                            {
                                "profile": {"name": "Test Name"},
                                "wa_id": "972987654321",
                                "user_id": "US.13491208655302741918",
                                "parent_user_id": "US.ENT.11815799212886844830",
                            }
                        ],
                        "messages": [
                            {
                                "context": {"forwarded": True},
                                "from": "972987654321",
                                "id": "wamid.xyzxyz",
                                "timestamp": "1697044557",
                                "location": {"latitude": 12.25089, "longitude": 43.90539},
                                "type": "location",
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [SPEC] "Contact Sharing Message" — docs/contracts/meta.md §2.4, "contacts".
CONTACTS = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "419561257915477",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
                        "messages": [
                            {
                                "from": "16505551234",
                                "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
                                "timestamp": "1744344496",
                                "type": "contacts",
                                "contacts": [
                                    {
                                        "name": {
                                            "first_name": "Lucía",
                                            "last_name": "Gómez",
                                            "formatted_name": "Lucía Gómez",
                                        },
                                        "org": {"company": "Google"},
                                        "phones": [
                                            {"phone": "+1 (983) 555-2319", "wa_id": "19835552319", "type": "MOBILE"}
                                        ],
                                    }
                                ],
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [SPEC] "Interactive Button Reply Message" — docs/contracts/meta.md §2.4, "interactive_button_reply".
INTERACTIVE_BUTTON_REPLY = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "419561257915477",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
                        "messages": [
                            {
                                "context": {
                                    "from": "15550783881",
                                    "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MEM2RUJFNkI0RENGQTVDRjUA",
                                },
                                "from": "16505551234",
                                "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTZBQzg0MzQ4QjRCM0NGNkVGOAA=",
                                "timestamp": "1750025136",
                                "type": "interactive",
                                "interactive": {
                                    "type": "button_reply",
                                    "button_reply": {"id": "cancel-button", "title": "Cancel"},
                                },
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [SPEC] "Interactive List Reply Message" — docs/contracts/meta.md §2.4, "interactive_list_reply".
INTERACTIVE_LIST_REPLY = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "419561257915477",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
                        "messages": [
                            {
                                "context": {
                                    "from": "15550783881",
                                    "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJGMzEyNzhENTZDMzNGODlDRDgA",
                                },
                                "from": "16505551234",
                                "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUJDQ0NDM0FEODY4ODkzOTc5RgA=",
                                "timestamp": "1749854575",
                                "type": "interactive",
                                "interactive": {
                                    "type": "list_reply",
                                    "list_reply": {
                                        "id": "priority_express",
                                        "title": "Priority Mail Express",
                                        "description": "Next Day to 2 Days",
                                    },
                                },
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [3P-REAL pywa interactive_message_with_err] no interactive object, value.errors —
# docs/contracts/meta.md §2.4, "interactive_without_payload".
INTERACTIVE_WITHOUT_PAYLOAD = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "1234567890987654321",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "972123456789", "phone_number_id": "1122334455667"},
                        "contacts": [
                            {
                                "profile": {"name": "Test Name"},
                                "wa_id": "972987654321",
                                "user_id": "US.13491208655302741918",
                                "parent_user_id": "US.ENT.11815799212886844830",
                            }
                        ],
                        "messages": [
                            {
                                "context": {"from": "972123456789", "id": "wamid.gvwegfretge=="},
                                "from": "972987654321",
                                "id": "wamid.wegrchytvwcggt=",
                                "timestamp": "1700505494",
                                "type": "interactive",
                            }
                        ],
                        "errors": [
                            {
                                "code": 131000,
                                "title": "Something went wrong",
                                "message": "Something went wrong",
                                "error_data": {"details": "Unsupported webhook payload"},
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [SPEC] "Button Message" (template quick reply) — docs/contracts/meta.md §2.4, "button".
BUTTON = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "419561257915477",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
                        "messages": [
                            {
                                "context": {
                                    "from": "15550783881",
                                    "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJFNjk2OTMwNEZCQjhGMzUyQUYA",
                                },
                                "from": "16505551234",
                                "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUU0M0MxQzQzMUJCMTMwNUZFOQA=",
                                "timestamp": "1750091045",
                                "type": "button",
                                "button": {"payload": "Unsubscribe", "text": "Unsubscribe"},
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [SPEC] "Reaction Message" — docs/contracts/meta.md §2.4, "reaction".
REACTION = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "419561257915477",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
                        "messages": [
                            {
                                "from": "16505551234",
                                "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
                                "timestamp": "1749419544",
                                "type": "reaction",
                                "reaction": {
                                    "message_id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RTJEOTc2ODVERUY5RDlGNkYA",
                                    "emoji": "👍",
                                },
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [3P-REAL pywa unreaction_no_emoji] reaction removed, no emoji key —
# docs/contracts/meta.md §2.4, "unreaction_no_emoji".
UNREACTION_NO_EMOJI = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "1234567890987654321",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "972123456789", "phone_number_id": "1122334455667"},
                        "contacts": [
                            {
                                "profile": {"name": "Test Name"},
                                "wa_id": "972987654321",
                                "user_id": "US.13491208655302741918",
                                "parent_user_id": "US.ENT.11815799212886844830",
                            }
                        ],
                        "messages": [
                            {
                                "from": "972987654321",
                                "id": "wamid.xyzxyz",
                                "timestamp": "1697044456",
                                "type": "reaction",
                                "reaction": {"message_id": "wamid.yzxyzx="},
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [SPEC] "Order Message" — docs/contracts/meta.md §2.4, "order".
ORDER = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "419561257915477",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
                        "messages": [
                            {
                                "from": "16505551234",
                                "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTEyQjFGNzI1QTQxMjI5QTMyOQA=",
                                "timestamp": "1750096325",
                                "type": "order",
                                "order": {
                                    "catalog_id": "194836987003835",
                                    "text": "",
                                    "product_items": [
                                        {
                                            "product_retailer_id": "di9ozbzfi4",
                                            "quantity": 2,
                                            "item_price": 30,
                                            "currency": "USD",
                                        },
                                        {
                                            "product_retailer_id": "nqryix03ez",
                                            "quantity": 1,
                                            "item_price": 25,
                                            "currency": "USD",
                                        },
                                    ],
                                },
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [SPEC] "System Message" (no contacts array) — docs/contracts/meta.md §2.4, "system".
SYSTEM = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "102290129340398",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                        "messages": [
                            {
                                "from": "16505551234",
                                "id": "wamid.HBgLMTk4MzU1NTE5NzQVAgASGAoxMTgyMDg2MjY3AA==",
                                "timestamp": "1750269342",
                                "system": {
                                    "body": "User Sheena Nelson changed from 16505551234 to 12195555358",
                                    "wa_id": "12195555358",
                                    "type": "user_changed_number",
                                },
                                "type": "system",
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [SPEC] "Unsupported Message" — docs/contracts/meta.md §2.4, "unsupported".
UNSUPPORTED = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "419561257915477",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
                        "messages": [
                            {
                                "from": "16505551234",
                                "id": "wamid.HBgLMTQyMDU1NTA3NDkVAgASGBI5N0MwRjg0RTVBNUI1RDA2OTkA",
                                "timestamp": "1750090702",
                                "errors": [
                                    {
                                        "code": 131051,
                                        "title": "Message type unknown",
                                        "message": "Message type unknown",
                                        "error_data": {"details": "Message type is currently not supported."},
                                    }
                                ],
                                "type": "unsupported",
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [3P-REAL pywa unsupported_with_type] — docs/contracts/meta.md §2.4, "unsupported_with_type".
UNSUPPORTED_WITH_TYPE = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "1234567890987654321",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "972123456789", "phone_number_id": "1122334455667"},
                        "contacts": [
                            {
                                "profile": {"name": "Test Name"},
                                "wa_id": "972987654321",
                                "user_id": "US.13491208655302741918",
                                "parent_user_id": "US.ENT.11815799212886844830",
                            }
                        ],
                        "messages": [
                            {
                                "from": "972987654321",
                                "id": "wamid.xyzxyz",
                                "timestamp": "1697044706",
                                "errors": [
                                    {
                                        "code": 131051,
                                        "title": "Message type unknown",
                                        "message": "Message type unknown",
                                        "error_data": {"details": "Message type is currently not supported."},
                                    }
                                ],
                                "type": "unsupported",
                                "unsupported": {"type": "pool"},
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [3P-REAL pywa sent] (conversation-based pricing) — docs/contracts/meta.md §2.5, "status_sent".
STATUS_SENT = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "5467539754836534",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "972123456789", "phone_number_id": "1122334455667"},
                        "contacts": [
                            {
                                "profile": {"name": "Test Name"},
                                "wa_id": "972987654321",
                                "user_id": "US.13491208655302741918",
                                "parent_user_id": "US.ENT.11815799212886844830",
                            }
                        ],
                        "statuses": [
                            {
                                "id": "wamid.xyzxyz",
                                "status": "sent",
                                "timestamp": "1698266945",
                                "recipient_id": "972987654321",
                                "conversation": {
                                    "id": "7270432eae37498234f4444b35ffc5",
                                    "expiration_timestamp": "1698339900",
                                    "origin": {"type": "service"},
                                },
                                "pricing": {"billable": True, "pricing_model": "CBP", "category": "service"},
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [3P-REAL pywa delivered] — docs/contracts/meta.md §2.5, "status_delivered".
STATUS_DELIVERED = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "5467539754836534",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "972123456789", "phone_number_id": "1122334455667"},
                        "contacts": [
                            {
                                "profile": {"name": "Test Name"},
                                "wa_id": "972987654321",
                                "user_id": "US.13491208655302741918",
                                "parent_user_id": "US.ENT.11815799212886844830",
                            }
                        ],
                        "statuses": [
                            {
                                "id": "wamid.xyzxyz",
                                "status": "delivered",
                                "timestamp": "1698266945",
                                "recipient_id": "972987654321",
                                "conversation": {"id": "7270432eae37498234f4444b35ffc5", "origin": {"type": "service"}},
                                "pricing": {"billable": True, "pricing_model": "CBP", "category": "service"},
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [3P-REAL pywa read] — docs/contracts/meta.md §2.5, "status_read".
STATUS_READ = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "5467539754836534",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "972123456789", "phone_number_id": "1122334455667"},
                        "contacts": [
                            {
                                "profile": {"name": "Test Name"},
                                "wa_id": "972987654321",
                                "user_id": "US.13491208655302741918",
                                "parent_user_id": "US.ENT.11815799212886844830",
                            }
                        ],
                        "statuses": [
                            {
                                "id": "wamid.xyzxyz",
                                "status": "read",
                                "timestamp": "1689380458",
                                "recipient_id": "972987654321",
                                "conversation": {"id": "7270432eae37498234f4444b35ffc5", "origin": {"type": "service"}},
                                "pricing": {"billable": True, "pricing_model": "CBP", "category": "service"},
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [3P-REAL pywa failed] with errors[] — docs/contracts/meta.md §2.5, "status_failed".
STATUS_FAILED = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "5467539754836534",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "972123456789", "phone_number_id": "1122334455667"},
                        "contacts": [
                            {
                                "profile": {"name": "Test Name"},
                                "wa_id": "972987654321",
                                "user_id": "US.13491208655302741918",
                                "parent_user_id": "US.ENT.11815799212886844830",
                            }
                        ],
                        "statuses": [
                            {
                                "id": "wamid.xyzxyz",
                                "status": "failed",
                                "timestamp": "1689380458",
                                "recipient_id": "972987654321",
                                "errors": [
                                    {
                                        "code": 130472,
                                        "title": "User's number is part of an experiment",
                                        "message": "User's number is part of an experiment",
                                        "error_data": {
                                            "details": "Failed to send "
                                            "message because this "
                                            "user's phone number "
                                            "is part of an "
                                            "experiment"
                                        },
                                        "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",  # noqa: E501
                                    }
                                ],
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [3P-REAL pywa played] with contacts carrying BSUID user_id — docs/contracts/meta.md §2.5, "status_played".
STATUS_PLAYED = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "5467539754836534",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "972123456789", "phone_number_id": "1122334455667"},
                        "contacts": [
                            {
                                "profile": {"name": "Test Name"},
                                "wa_id": "972987654321",
                                "user_id": "US.13491208655302741918",
                                "parent_user_id": "US.ENT.11815799212886844830",
                            }
                        ],
                        "statuses": [
                            {
                                "id": "wamid.xyzxyz",
                                "status": "played",
                                "timestamp": "1689380458",
                                "recipient_id": "972987654321",
                                "conversation": {"id": "7270432eae37498234f4444b35ffc5", "origin": {"type": "service"}},
                                "pricing": {"billable": True, "pricing_model": "CBP", "category": "service"},
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# CONSTRUCTED from [SPEC Statuses] + the §2.7 error table: failed, 131047 —
# docs/contracts/meta.md §2.5, "status_failed_window_closed".
STATUS_FAILED_WINDOW_CLOSED = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "102290129340398",
            "changes": [
                {
                    "field": "messages",
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                        "statuses": [
                            {
                                "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MEM2RUJFNkI0RENGQTVDRjUA",
                                "status": "failed",
                                "timestamp": "1750263773",
                                "recipient_id": "16505551234",
                                "errors": [
                                    {
                                        "code": 131047,
                                        "title": "Re-engagement message",
                                        "message": "Re-engagement message",
                                        "error_data": {
                                            "details": "Message failed to "
                                            "send because more "
                                            "than 24 hours have "
                                            "passed since the "
                                            "customer last "
                                            "replied to this "
                                            "number."
                                        },
                                        "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",  # noqa: E501
                                    }
                                ],
                            }
                        ],
                    },
                }
            ],
        }
    ],
}

# VERBATIM [DOC errors webhook] out-of-band value.errors, no messages/statuses —
# docs/contracts/meta.md §2.5, "Errors webhook".
ERRORS_WEBHOOK = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "102290129340398",
            "changes": [
                {
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                        "errors": [
                            {
                                "code": 130429,
                                "title": "Rate limit hit",
                                "message": "Rate limit hit",
                                "error_data": {
                                    "details": "Message failed to send because "
                                    "there were too many messages sent "
                                    "from this phone number in a short "
                                    "period of time"
                                },
                                "href": "/documentation/business-messaging/whatsapp/support/error-codes",
                            }
                        ],
                    },
                    "field": "messages",
                }
            ],
        }
    ],
}

# VERBATIM [SPEC MessageResponsePayload] 200 to a send — docs/contracts/meta.md §2.6, "Success response".
SEND_SUCCESS_RESPONSE = {
    "contacts": [{"input": "+16505551234", "wa_id": "16505551234"}],
    "messages": [{"id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJCOTY3NDc0NDFDRUI3NTA0Q0UA"}],
    "messaging_product": "whatsapp",
}

# VERBATIM [3P-REAL as reproduced by a BSP; fields match SPEC GraphAPIError] synchronous error
# envelope — docs/contracts/meta.md §2.7, "Synchronous error envelope".
GRAPH_ERROR_RATE_LIMIT = {
    "error": {
        "message": "(#130429) Rate limit hit",
        "type": "OAuthException",
        "code": 130429,
        "error_data": {
            "messaging_product": "whatsapp",
            "details": "Message failed to send because there were too many messages sent from "
            "this phone number in a short period of time",
        },
        "error_subcode": 2494055,
        "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam",
    }
}


def _with_emoji(payload: dict, emoji: str) -> dict:
    clone = copy.deepcopy(payload)
    clone["entry"][0]["changes"][0]["value"]["messages"][0]["reaction"]["emoji"] = emoji
    return clone


# CONSTRUCTED [3P-REAL pywa unreaction_empty, described in docs/contracts/meta.md §2.4, "unreaction_empty"]:
# UNREACTION_NO_EMOJI with `"emoji": ""`.
UNREACTION_EMPTY = _with_emoji(UNREACTION_NO_EMOJI, "")

INBOUND_EXAMPLES = {
    "text": TEXT,
    "text_referred_product": TEXT_REFERRED_PRODUCT,
    "text_ad_referral": TEXT_AD_REFERRAL,
    "image": IMAGE,
    "image_with_url": IMAGE_WITH_URL,
    "audio_voice": AUDIO_VOICE,
    "audio_file_forwarded": AUDIO_FILE_FORWARDED,
    "video": VIDEO,
    "document": DOCUMENT,
    "sticker_static": STICKER_STATIC,
    "sticker_animated": STICKER_ANIMATED,
    "location": LOCATION,
    "location_current": LOCATION_CURRENT,
    "contacts": CONTACTS,
    "interactive_button_reply": INTERACTIVE_BUTTON_REPLY,
    "interactive_list_reply": INTERACTIVE_LIST_REPLY,
    "interactive_without_payload": INTERACTIVE_WITHOUT_PAYLOAD,
    "button": BUTTON,
    "reaction": REACTION,
    "unreaction_no_emoji": UNREACTION_NO_EMOJI,
    "order": ORDER,
    "system": SYSTEM,
    "unsupported": UNSUPPORTED,
    "unsupported_with_type": UNSUPPORTED_WITH_TYPE,
    "unreaction_empty": UNREACTION_EMPTY,
}
STATUS_EXAMPLES = {
    "status_sent": STATUS_SENT,
    "status_delivered": STATUS_DELIVERED,
    "status_read": STATUS_READ,
    "status_failed": STATUS_FAILED,
    "status_played": STATUS_PLAYED,
    "status_failed_window_closed": STATUS_FAILED_WINDOW_CLOSED,
}

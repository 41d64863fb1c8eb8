"""LLM wire payloads (docs/contracts/llm.md §4), as Python dicts.

The bare §4.1 / §4.2 in the comments below are sections of docs/contracts/llm.md.
`VERBATIM` entries reproduce exactly the vendor examples that file is based on (vendor
spec, executed vendor notebooks or real issue threads, listed in its Sources).
`CONSTRUCTED` entries are built from the field lists of the official schemas because
those sources hold no verbatim example of that case; tests on them assert only
schema-defined fields.
"""

# --- Gemini generateContent (docs/contracts/llm.md §4.1) --------------------------

_SAFETY_NEGLIGIBLE = [
    {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NEGLIGIBLE"},
    {"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT", "probability": "NEGLIGIBLE"},
    {"category": "HARM_CATEGORY_HARASSMENT", "probability": "NEGLIGIBLE"},
    {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "NEGLIGIBLE"},
]

# VERBATIM: cookbook Function_calling_REST.ipynb executed output (a functionCall, no text).
GEMINI_FUNCTION_CALL_RESPONSE = {
    "candidates": [
        {
            "content": {
                "parts": [
                    {
                        "functionCall": {
                            "name": "find_theaters",
                            "args": {
                                "movie": "Barbie",
                                "location": "Mountain View, CA",
                            },
                        }
                    }
                ],
                "role": "model",
            },
            "finishReason": "STOP",
            "index": 0,
            "safetyRatings": _SAFETY_NEGLIGIBLE,
        }
    ],
    "promptFeedback": {
        "safetyRatings": [
            {"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT", "probability": "NEGLIGIBLE"},
            {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NEGLIGIBLE"},
            {"category": "HARM_CATEGORY_HARASSMENT", "probability": "NEGLIGIBLE"},
            {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "NEGLIGIBLE"},
        ]
    },
}

# VERBATIM: cookbook Safety_REST.ipynb executed output — HTTP 200, no `candidates` key.
GEMINI_PROMPT_BLOCKED_RESPONSE = {
    "promptFeedback": {
        "blockReason": "SAFETY",
        "safetyRatings": [
            {"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT", "probability": "NEGLIGIBLE"},
            {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NEGLIGIBLE"},
            {"category": "HARM_CATEGORY_HARASSMENT", "probability": "MEDIUM"},
            {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "NEGLIGIBLE"},
        ],
    }
}

# CONSTRUCTED from GenerateContentResponse: a text answer split across two parts, with
# usageMetadata, modelVersion and responseId as newer models send them.
GEMINI_TEXT_RESPONSE = {
    "candidates": [
        {
            "content": {
                "parts": [{"text": "Olá! Temos horários "}, {"text": "amanhã às 10h e às 15h."}],
                "role": "model",
            },
            "finishReason": "STOP",
            "index": 0,
            "safetyRatings": _SAFETY_NEGLIGIBLE,
        }
    ],
    "usageMetadata": {"promptTokenCount": 42, "candidatesTokenCount": 12, "totalTokenCount": 54},
    "modelVersion": "gemini-2.0-flash",
    "responseId": "resp-123",
}

# CONSTRUCTED: a thinking model; the counts are the real ones quoted in §4.1
# (prompt 15 + candidates 359 + thoughts 661 = total 1035, Helicone PR #5604).
GEMINI_THINKING_RESPONSE = {
    "candidates": [
        {
            "content": {
                "parts": [
                    {"text": "The customer wants a slot tomorrow...", "thought": True},
                    {"text": "Claro! Posso agendar para amanhã às 10h."},
                ],
                "role": "model",
            },
            "finishReason": "STOP",
            "index": 0,
        }
    ],
    "usageMetadata": {
        "promptTokenCount": 15,
        "candidatesTokenCount": 359,
        "thoughtsTokenCount": 661,
        "totalTokenCount": 1035,
    },
    "modelVersion": "gemini-2.5-flash",
}


def gemini_finished(reason: str, *, with_parts: bool = False) -> dict:
    """CONSTRUCTED: a candidate that ended with `reason`, usually without content.parts (§4.1)."""
    candidate = {"finishReason": reason, "index": 0}
    candidate["content"] = {"role": "model", "parts": [{"text": "partial"}]} if with_parts else {"role": "model"}
    return {"candidates": [candidate], "usageMetadata": {"promptTokenCount": 9, "totalTokenCount": 9}}


# VERBATIM: real 429 (gke-labs/gemini-for-kubernetes-development issue #1215).
GEMINI_429_QUOTA = {
    "error": {
        "code": 429,
        "message": "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: https://ai.dev/rate-limit. ",  # noqa: E501
        "status": "RESOURCE_EXHAUSTED",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [
                    {
                        "description": "Learn more about Gemini API quotas",
                        "url": "https://ai.google.dev/gemini-api/docs/rate-limits",
                    }
                ],
            }
        ],
    }
}

# The 429 above plus the QuotaFailure and RetryInfo details quoted verbatim in §4.1
# (googleapis/python-genai #2044, google-gemini/gemini-cli #8437).
GEMINI_429_RETRY_INFO = {
    "error": {
        **GEMINI_429_QUOTA["error"],
        "details": [
            *GEMINI_429_QUOTA["error"]["details"],
            {
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                "violations": [
                    {
                        "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                        "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
                        "quotaDimensions": {"location": "global", "model": "gemini-2.0-flash"},
                    }
                ],
            },
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "47s"},
        ],
    }
}

# VERBATIM: older/minimal 429 (google/generative-ai-docs issue #236).
GEMINI_429_MINIMAL = {
    "error": {"code": 429, "message": "Resource has been exhausted (e.g. check quota).", "status": "RESOURCE_EXHAUSTED"}
}

# VERBATIM as quoted in §4.1 (message text not verified: assert only code/status).
GEMINI_500 = {
    "error": {
        "code": 500,
        "message": "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",  # noqa: E501
        "status": "INTERNAL",
    }
}


def gemini_error(code: int, status: str, message: str) -> dict:
    """CONSTRUCTED: the Google RPC envelope with the HTTP/status pairs of the api-errors table."""
    return {"error": {"code": code, "message": message, "status": status}}


# --- OpenAI Chat Completions (docs/contracts/llm.md §4.2) -----------------------------

# VERBATIM: openai-openapi spec example.
OPENAI_TEXT_RESPONSE = {
    "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
    "object": "chat.completion",
    "created": 1741569952,
    "model": "gpt-5.4",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "Hello! How can I assist you today?",
                "refusal": None,
                "annotations": [],
            },
            "logprobs": None,
            "finish_reason": "stop",
        }
    ],
    "usage": {
        "prompt_tokens": 19,
        "completion_tokens": 10,
        "total_tokens": 29,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    },
    "service_tier": "default",
}

# VERBATIM: openai-openapi spec example "Functions" response (content null).
OPENAI_TOOL_CALL_RESPONSE = {
    "id": "chatcmpl-abc123",
    "object": "chat.completion",
    "created": 1699896916,
    "model": "gpt-4o-mini",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_abc123",
                        "type": "function",
                        "function": {"name": "get_current_weather", "arguments": '{\n"location": "Boston, MA"\n}'},
                    }
                ],
            },
            "logprobs": None,
            "finish_reason": "tool_calls",
        }
    ],
    "usage": {
        "prompt_tokens": 82,
        "completion_tokens": 17,
        "total_tokens": 99,
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    },
}


def openai_answer(content, *, finish_reason: str = "stop", refusal=None, usage: dict | None = None) -> dict:
    """CONSTRUCTED from CreateChatCompletionResponse; `usage=None` leaves the key out,
    as some compatible servers do."""
    payload = {
        "id": "chatcmpl-local",
        "object": "chat.completion",
        "created": 1741569952,
        "model": "llama3.1:8b",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "finish_reason": finish_reason,
            }
        ],
    }
    if usage is not None:
        payload["usage"] = usage
    return payload


def openai_error(message: str, *, type: str, code: str | None = None, param: str | None = None) -> dict:
    """CONSTRUCTED: the ErrorResponse schema (all four keys required)."""
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


# Error texts are the [DOC error-codes] headlines quoted in §4.2.
OPENAI_429_RATE_LIMIT = openai_error("Rate limit reached for requests", type="requests", code="rate_limit_exceeded")
OPENAI_429_QUOTA = openai_error(
    "You exceeded your current quota, please check your plan and billing details",
    type="insufficient_quota",
    code="insufficient_quota",
)
OPENAI_500 = openai_error("The server had an error while processing your request", type="server_error")

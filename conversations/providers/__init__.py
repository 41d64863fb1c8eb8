"""External systems the conversation engine talks to: WhatsApp channels and LLMs.

Each provider wraps httpx with timeouts, returns typed results and raises one of
two error kinds: transient (worth retrying: timeouts, 429, 5xx) or permanent.
"""

"""The assistant: understanding and answering in Portuguese.

`engine/` is the offline engine (intents, sentiment, tone, hours, knowledge, safety);
`providers/` are the language-model clients (Gemini, OpenAI-compatible); `llm.py` calls
them with retries, budgets and a per-company circuit breaker (`breaker.py`).
"""

"""The agenda inside the chat: understanding a customer's answer (parse) and the booking dialog (flow)."""

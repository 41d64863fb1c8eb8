"""A receptionist's inbox: the queue of conversations, a thread, replies and the handoff notice."""

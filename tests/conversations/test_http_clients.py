"""Provider HTTP clients: one pooled client per thread, reused, never shared across threads."""

import threading

from secretaria.http import shared_client


def test_a_thread_reuses_its_client_and_other_threads_get_their_own():
    mine = shared_client()
    others = []
    thread = threading.Thread(target=lambda: others.extend([shared_client(), shared_client()]))
    thread.start()
    thread.join()

    assert shared_client() is mine
    assert others[0] is others[1]
    assert others[0] is not mine
    assert not mine.cookies  # shared by every company: it must keep no cookies

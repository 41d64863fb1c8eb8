"""The demo company of `make run`: a small dermatology clinic with a profile, a knowledge base
and a built-in calendar, so the product answers and books from the first message.

It sits above every app (it fills conversations and agenda alike), which is why it lives in
the development stack and not in the platform. Run with `python -m devstack.demo` (the
launcher does, after `manage.py bootstrap`): Django is set up before `company` is imported.
"""

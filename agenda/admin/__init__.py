"""The agenda on the company admin: appointments with quick actions, today's agenda, settings.

What each role may do comes from its model permissions (accounts/roles.py); on top:
- appointments change only through the booking services (the same as the chat and the
  API), so history, reminders, follow-ups and the waitlist follow every change;
- what the automations write (reminders, events, insights) is read-only for everybody;
- the calendar's settings, services and professionals are company configuration:
  changing them needs `manage_settings`, like the API; Cal.com secrets are write-only.
"""

from agenda.admin import appointments, configuration  # noqa: F401 - registers the model admins

"""The calendar: day and week per professional, booking a phone caller, moving and cancelling."""

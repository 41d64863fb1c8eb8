"""The calendar screen as the panel mounts it (secretaria/panel/screens.py): /admin/calendar/..."""

from django.urls import path

from agenda.calendar import views
from secretaria.panel.screens import Screen


def urls():
    return [
        path("", views.day_view, name="calendar"),
        path("semana/", views.week_view, name="calendar_week"),
        path("agendar/", views.book_view, name="calendar_book"),
        path("contato/", views.contact_view, name="calendar_contact"),
        path("agendamento/<int:pk>/", views.appointment_view, name="calendar_appointment"),
        path("agendamento/<int:pk>/remarcar/", views.move_view, name="calendar_move"),
        path("agendamento/<int:pk>/cancelar/", views.cancel_view, name="calendar_cancel"),
        path("agendamento/<int:pk>/<slug:action>/", views.action_view, name="calendar_action"),
    ]


SCREEN = Screen(name="calendar", label="Agenda", urls=urls, menu_url="calendar", order=30,
                visible=lambda user: user.has_perm("agenda.view_appointment"))

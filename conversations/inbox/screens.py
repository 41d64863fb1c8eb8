"""The inbox screen as the panel mounts it (secretaria/panel/screens.py): /admin/inbox/.

Its notice script runs on every page of the company's panel for the users who may see the
inbox (the screen's `visible`): a handoff raises a toast and a sound wherever they are.
"""

from django.urls import path

from conversations.inbox import views
from secretaria.panel.screens import Screen


def urls():
    return [
        path("", views.queue, name="inbox"),
        path("fila/", views.queue_poll, name="inbox_queue"),
        path("pulso/", views.pulse, name="inbox_pulse"),
        path("<int:pk>/", views.thread, name="inbox_thread"),
        path("<int:pk>/novas/", views.thread_poll, name="inbox_thread_poll"),
        path("<int:pk>/responder/", views.reply, name="inbox_reply"),
        path("<int:pk>/modelo/", views.template, name="inbox_template"),
        path("<int:pk>/assumir/", views.take_over, name="inbox_take_over"),
        path("<int:pk>/devolver/", views.hand_back, name="inbox_hand_back"),
        path("<int:pk>/encerrar/", views.close, name="inbox_close"),
    ]


SCREEN = Screen(name="inbox", label="Caixa de entrada", urls=urls, menu_url="inbox", order=20,
                visible=views.may_see, scripts=("inbox/notice.js",))

"""templates' models, one module per part (Django finds them here)."""

from templates.experiments.models import *  # noqa: F401,F403
from templates.replies.models import ReplyTemplate  # noqa: F401
from templates.whatsapp.models import *  # noqa: F401,F403

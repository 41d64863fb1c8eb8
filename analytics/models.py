"""analytics' models live with their part; Django finds them here."""

from analytics.feedback.models import *  # noqa: F401,F403
from analytics.recommendations.models import *  # noqa: F401,F403
from analytics.reports.models import *  # noqa: F401,F403
from analytics.webhooks.models import *  # noqa: F401,F403

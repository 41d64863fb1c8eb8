"""templates' admin pages, one module per part (Django's autodiscovery imports this one)."""

import templates.experiments.admin  # noqa: F401
import templates.replies.admin  # noqa: F401
import templates.whatsapp.admin  # noqa: F401

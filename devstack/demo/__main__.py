"""`python -m devstack.demo`: create or refresh the demo company (needs the Django environment)."""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secretaria.settings")
django.setup()

from devstack.demo.company import main  # noqa: E402 - after django.setup()

sys.exit(main())

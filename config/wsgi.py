"""WSGI entry point: `gunicorn -c config/gunicorn.py config.wsgi`."""

import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
try:
    application = get_wsgi_application()
except ImproperlyConfigured as error:  # a missing secret, a bad DJANGO_ENV: one line, not a traceback
    print(f"error: {error}", file=sys.stderr)
    sys.exit(4)  # gunicorn's APP_LOAD_ERROR: the server stops instead of restarting workers forever

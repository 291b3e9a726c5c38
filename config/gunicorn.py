"""gunicorn's configuration wherever Dixian runs it (docker-compose.yml, the Dockerfile, `make run`,
the benchmark): `gunicorn -c config/gunicorn.py config.wsgi …`.

gunicorn logs through its own handlers, outside Django's LOGGING: "Invalid request" lines print the
raw request line, a failed request its URI with the query string, and none of it passed the
masking filter. Here gunicorn gets the project's LOGGING (the one console handler with its
context and masking filters, JSON lines in production), whose "gunicorn.error" logger also drops
raw request lines and URIs, and whose "gunicorn.access" logger writes nothing.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.conf import settings  # noqa: E402  (after the settings module is named)

logconfig_dict = settings.LOGGING
accesslog = None


def post_worker_init(worker) -> None:
    """Each worker imports, compiles and loads before its first request (config/warmup.py)."""
    from config.warmup import warm_quietly

    warm_quietly()

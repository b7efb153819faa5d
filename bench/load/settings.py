"""The benchmark's settings: the product's, with the benchmark's URLconf (the product's URLs plus the floor).

bench/load/portal.py starts gunicorn, the Celery worker and manage.py with
DJANGO_SETTINGS_MODULE=bench.load.settings; the product never imports this module.
"""

from flametree_portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.load.urls"

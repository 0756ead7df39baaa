"""Project configuration: settings, the URLconf, the Celery application and WSGI.

Kept apart from the apps so that importing an app module (``foiregister.calendar``, say)
loads neither Django's settings nor Celery. The Celery app is imported here, as Django's
Celery guide recommends, so ``@shared_task`` binds to it when Django starts.
"""

from .celery import app as celery_app

__all__ = ["celery_app"]

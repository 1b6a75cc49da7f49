"""Celery bound to the Flask app (the pattern from Flask's Celery guide).

Tasks run inside an app context. Without ``CELERY_BROKER_URL`` they run eagerly, in-process.
"""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.conf.beat_schedule = dict(app.config.get("CELERY_BEAT_SCHEDULE", {}))
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app

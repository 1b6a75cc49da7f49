"""Entry point for Celery: ``celery -A celery_worker worker`` / ``celery -A celery_worker beat``.

Builds the Flask app, which creates its Celery instance and imports the task modules."""

from mkr_web import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]

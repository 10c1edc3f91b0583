"""Gunicorn's entry point: `gunicorn hbnb.wsgi:app`, run from the release directory."""
from hbnb import create_app

app = create_app()

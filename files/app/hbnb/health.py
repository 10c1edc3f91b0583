"""`/-/health`: the deployer's health check; never exposed publicly."""
from flask import Blueprint, current_app, jsonify
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from hbnb.db import get_session
from hbnb.models import State

blueprint = Blueprint("health", __name__)


@blueprint.route("/-/health", methods=["GET"])
def check_health():
    """200 with the release id once the database answers a query on the app's schema."""
    release = current_app.config["RELEASE"]
    try:
        # Reading a real table, not only "SELECT 1", also proves the seed created the schema.
        get_session().execute(select(State.id).limit(1)).all()
    except SQLAlchemyError as error:
        current_app.logger.warning("health check failed: %s", getattr(error, "orig", error))
        response = jsonify(status="unavailable", release=release, error="Database unavailable")
        response.status_code = 503
    else:
        response = jsonify(status="OK", release=release)
    response.headers["Cache-Control"] = "no-store"
    return response

"""`/-/` routes: the deployer's health check and Nginx's cache key; never exposed publicly."""
from flask import Blueprint, current_app, jsonify
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from hbnb.db import get_session
from hbnb.models import Generation, State
from hbnb.models.generation import ROW_ID as GENERATION_ROW

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


@blueprint.route("/-/generation", methods=["GET"])
def current_generation():
    """204 with `X-Hbnb-Generation: <release id>.<generation>`, what the page and
    places_search answer depend on. Nginx asks before each of those requests (auth_request)
    and keys its cache by it; anything but a 204 makes Nginx pass the request on uncached."""
    value = get_session().scalar(select(Generation.value).where(Generation.id == GENERATION_ROW))
    if value is None:
        # No generation row (a schema the seed has not updated yet): nothing would move it on.
        return jsonify(error="No data generation"), 503
    response = current_app.response_class(status=204)
    response.headers["X-Hbnb-Generation"] = f"{current_app.config['RELEASE']}.{value}"
    response.headers["Cache-Control"] = "no-store"
    return response

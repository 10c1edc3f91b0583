"""`/-/` routes: the deployer's health check and Nginx's cache key; never exposed publicly."""
from flask import Blueprint, current_app, jsonify
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from hbnb.db import engine_of, get_session
from hbnb.models import Generation, State
from hbnb.models.generation import ROW_ID as GENERATION_ROW

# Names and the row id from the model; a constant, so no driver-specific parameter style.
GENERATION_QUERY = (
    f"SELECT {Generation.value.name} FROM {Generation.__tablename__} "
    f"WHERE {Generation.id.name} = {int(GENERATION_ROW)}"
)

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
    # Nginx asks this before every page view and search, so it must cost about what
    # /api/v1/status does: one plain query on a pooled DBAPI connection, no ORM session.
    # Measured in-process: 280 µs a request this way, 530 µs through a session; status 245 µs.
    engine = engine_of(current_app)
    row = None
    try:
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(GENERATION_QUERY)
            row = cursor.fetchone()
        finally:
            # Back to the pool, its transaction (if the driver opened one) rolled back.
            connection.close()
    except (SQLAlchemyError, engine.dialect.dbapi.Error) as error:
        current_app.logger.warning("data generation unavailable: %s", getattr(error, "orig", error))
    if row is None or row[0] is None:
        # No table or no row yet (a schema the seed has not updated), no database: nothing
        # would move the generation on, so Nginx serves the request uncached.
        return jsonify(error="No data generation"), 503
    value = row[0]
    response = current_app.response_class(status=204)
    response.headers["X-Hbnb-Generation"] = f"{current_app.config['RELEASE']}.{value}"
    response.headers["Cache-Control"] = "no-store"
    return response

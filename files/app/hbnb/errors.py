"""Every error answers JSON `{"error": "..."}`: never an HTML page, never a traceback."""
from flask import abort, current_app, jsonify, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

# Werkzeug's own errors, reworded as the original API words them.
MESSAGES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    413: "Request body too large",
}


class ApiError(HTTPException):
    """An error whose message the client should see, e.g. ApiError(400, "Missing name")."""

    def __init__(self, code, message):
        super().__init__(description=message)
        self.code = code


def init_app(app):
    app.before_request(_refuse_oversize_body)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(Exception, _unexpected_error)


def _refuse_oversize_body():
    # Werkzeug before 2.3 applies MAX_CONTENT_LENGTH to form parsing only, not to
    # get_json(): check the declared length here so JSON bodies are capped everywhere.
    # (Nginx forwards chunked uploads with a Content-Length, so every body declares one.)
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length > limit:
        abort(413)


def _http_error(error):
    if isinstance(error, ApiError):
        message = error.description
    else:
        message = MESSAGES.get(error.code, error.name)
    # get_response() keeps the headers Werkzeug set, e.g. Allow on a 405.
    response = error.get_response()
    response.set_data(jsonify(error=message).get_data())
    response.content_type = "application/json"
    return response


def _database_unavailable(error):
    # A statement over its time budget (hbnb/db.py), which SQLite reports as interrupted.
    if str(error.orig) == "interrupted":
        current_app.logger.error("statement over its time budget on %s %s", request.method, request.path)
        return jsonify(error="The request took too long"), 503
    # Lost connection, locked or missing database: the client may retry later.
    current_app.logger.error("database unavailable: %s", error.orig)
    return jsonify(error="Database unavailable"), 503


def _unexpected_error(error):
    # The traceback goes to the error log; the client learns nothing about the code.
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return jsonify(error="Internal server error"), 500

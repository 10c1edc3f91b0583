"""Reading request bodies: JSON objects whose fields are checked before any write.

Each view lists the fields a client may set, with their type; anything else in the body
(unknown keys, ids, timestamps, protected foreign keys) is ignored, as in the original.
"""
import math

from flask import request

from hbnb.errors import ApiError

# Integer columns are 32-bit in MySQL; SQLite cannot store integers of 64 bits or more.
MAX_INT = 2**31 - 1


def json_body():
    """The body as a JSON object, else 400 "Not a JSON" (wrong type, bad syntax, not an object,
    or nested deeper than Python's parser recurses)."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        data = None
    if not isinstance(data, dict):
        raise ApiError(400, "Not a JSON")
    return data


def text(value):
    """Whether a string is text a database can store: JSON's \\ud800 escapes decode to lone
    surrogates, which have no UTF-8 form."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def require(data, *names):
    """400 "Missing <name>" for the first of `names` absent from `data`."""
    for name in names:
        if name not in data:
            raise ApiError(400, f"Missing {name}")


class Text:
    """A string of at most `max_length` characters; non-empty unless optional (which allows null)."""

    def __init__(self, max_length, optional=False):
        self.max_length = max_length
        self.optional = optional

    def check(self, name, value):
        if value is None and self.optional:
            return None
        if not isinstance(value, str):
            raise ApiError(400, f"{name} must be a string")
        if not text(value):
            raise ApiError(400, f"{name} must be text (no lone surrogates)")
        if not value and not self.optional:
            raise ApiError(400, f"{name} must not be empty")
        if len(value) > self.max_length:
            raise ApiError(400, f"{name} must be at most {self.max_length} characters")
        return value


class Count:
    """A whole number from 0 to MAX_INT (rooms, guests, price)."""

    def check(self, name, value):
        # bool is an int in Python, but `true` is no count.
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_INT:
            raise ApiError(400, f"{name} must be an integer from 0 to {MAX_INT}")
        return value


class Coordinate:
    """A latitude or longitude in degrees, from -limit to limit, or null."""

    def __init__(self, limit):
        self.limit = limit

    def check(self, name, value):
        if value is None:
            return None
        # Python's JSON parser accepts NaN and Infinity, which JSON cannot send back.
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or not -self.limit <= value <= self.limit
        ):
            raise ApiError(400, f"{name} must be a number from -{self.limit} to {self.limit}")
        return float(value)


def checked(data, fields):
    """The entries of `data` named in `fields` ({name: type}), each checked; the rest dropped."""
    return {name: kind.check(name, data[name]) for name, kind in fields.items() if name in data}


def id_field(data, name):
    """The id a body refers to (e.g. user_id): present and a string."""
    require(data, name)
    if not isinstance(data[name], str) or not text(data[name]):
        raise ApiError(400, f"{name} must be a string")
    return data[name]

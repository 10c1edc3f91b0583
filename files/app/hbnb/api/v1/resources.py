"""The create / update / delete steps every resource of API v1 shares."""
from flask import jsonify

from hbnb.db import get_session
from hbnb.models.base import utcnow


def created(obj):
    """Save a new object: 201 with its JSON."""
    session = get_session()
    session.add(obj)
    session.commit()
    return jsonify(obj.to_dict()), 201


def updated(obj, changes):
    """Apply checked `changes` to `obj`: 200 with its JSON."""
    for name, value in changes.items():
        setattr(obj, name, value)
    # Every PUT counts as an update, even one that changes nothing, as in the original.
    obj.updated_at = utcnow()
    get_session().commit()
    return jsonify(obj.to_dict()), 200


def deleted(obj):
    """Delete an object (and what its relationships cascade to): 200 with `{}`."""
    session = get_session()
    session.delete(obj)
    session.commit()
    return jsonify({}), 200


def shown(obj):
    """200 with the JSON of one object."""
    return jsonify(obj.to_dict())


def listed(objects):
    """200 with the JSON of each object."""
    return jsonify([obj.to_dict() for obj in objects])

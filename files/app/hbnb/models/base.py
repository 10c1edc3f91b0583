"""What every model shares: a uuid4 id, creation and update times, a JSON form."""
import uuid
from datetime import datetime, timezone

from sqlalchemy import Column, DateTime, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"


def utcnow():
    """The current UTC time, naive: SQLite and MySQL DATETIME columns store no zone."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def new_id():
    return str(uuid.uuid4())


class BaseModel:
    """Mixed into every model: columns and serialisation shared by all classes."""

    # Column names left out of to_dict (User hides its password hash).
    hidden_fields = ()

    id = Column(String(60), primary_key=True, default=new_id)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow)

    def to_dict(self):
        """The columns as JSON-ready values, with the original's `__class__` key."""
        result = {"__class__": type(self).__name__}
        for column in self.__table__.columns:
            if column.name in self.hidden_fields:
                continue
            value = getattr(self, column.name)
            result[column.name] = value.strftime(TIME_FORMAT) if isinstance(value, datetime) else value
        return result

    def __repr__(self):
        return f"<{type(self).__name__} {self.id}>"

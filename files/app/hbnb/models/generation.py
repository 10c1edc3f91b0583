"""The data's generation: one number that every committed change of the data moves on.

Nginx keys its cache of the heaviest answers (the page, places_search) by the release id and
this number (`GET /-/generation`, files/nginx/site.conf.njk): an answer cached under one
generation is never served again once any row has changed, so the cache is never stale.
"""
from sqlalchemy import Column, Integer, event, update
from sqlalchemy.orm import Session

from hbnb.models.base import Base

# The table holds this one row; the schema step creates it (hbnb.seed.create_schema).
ROW_ID = 1


class Generation(Base):
    __tablename__ = "data_generation"

    id = Column(Integer, primary_key=True)
    value = Column(Integer, nullable=False, default=0)


@event.listens_for(Session, "after_flush")
def _move_on(session, _flush_context):
    # Every change the app makes goes through a session flush. Here the session still lists
    # what this flush wrote; the UPDATE joins the same transaction, so the new generation is
    # visible exactly when the change is (and a rolled-back change moves nothing).
    if session.new or session.dirty or session.deleted:
        session.execute(
            update(Generation).where(Generation.id == ROW_ID).values(value=Generation.value + 1)
        )

"""A State holds cities."""
from sqlalchemy import Column, String
from sqlalchemy.orm import relationship

from hbnb.models.base import Base, BaseModel


class State(BaseModel, Base):
    __tablename__ = "states"

    name = Column(String(128), nullable=False)

    # Deleting a state deletes its cities (and, through them, their places), as the original.
    cities = relationship(
        "City", back_populates="state", cascade="all, delete-orphan", order_by="City.name"
    )

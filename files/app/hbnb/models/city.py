"""A City belongs to a State and holds places."""
from sqlalchemy import Column, ForeignKey, String
from sqlalchemy.orm import relationship

from hbnb.models.base import Base, BaseModel


class City(BaseModel, Base):
    __tablename__ = "cities"

    state_id = Column(String(60), ForeignKey("states.id"), nullable=False)
    name = Column(String(128), nullable=False)

    state = relationship("State", back_populates="cities")
    places = relationship("Place", back_populates="city", cascade="all, delete-orphan")

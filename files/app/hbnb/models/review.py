"""A Review of a Place, written by a User."""
from sqlalchemy import Column, ForeignKey, String
from sqlalchemy.orm import relationship

from hbnb.models.base import Base, BaseModel


class Review(BaseModel, Base):
    __tablename__ = "reviews"

    place_id = Column(String(60), ForeignKey("places.id"), nullable=False)
    user_id = Column(String(60), ForeignKey("users.id"), nullable=False)
    text = Column(String(1024), nullable=False)

    place = relationship("Place", back_populates="reviews")
    user = relationship("User", back_populates="reviews")

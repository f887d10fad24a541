from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class NotebookIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)


class NotebookOut(NotebookIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime


class NoteIn(BaseModel):
    body: str


class NoteOut(NoteIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    notebook_id: int
    author_id: int
    updated_at: datetime

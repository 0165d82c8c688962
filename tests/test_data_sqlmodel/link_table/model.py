# A many-to-many link table: a composite primary key made of two foreign keys.
from sqlmodel import Field, SQLModel


class Student(SQLModel, table=True):
    id: int = Field(primary_key=True)
    name: str


class Course(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=10)
    title: str


class Enrollment(SQLModel, table=True):
    student_id: int = Field(foreign_key="student.id", primary_key=True)
    course_code: str = Field(foreign_key="course.code", primary_key=True, max_length=10)
    grade: float | None = None

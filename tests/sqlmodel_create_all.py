"""Runs SQLModel.metadata.create_all() for a model file against a SQLite file, exactly as an
application would; strata's tests then read the file back and compare it with strata's own
reading of the model. Usage: python sqlmodel_create_all.py MODEL.py DATABASE.sqlite"""
import runpy
import sys

from sqlmodel import SQLModel, create_engine

runpy.run_path(sys.argv[1], run_name="strata_model")
engine = create_engine(f"sqlite:///{sys.argv[2]}")
SQLModel.metadata.create_all(engine)
with engine.connect() as conn:
    rows = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type DESC, name").fetchall()
for (sql,) in rows:
    print(sql.strip() + ";")

"""case sqlmodel_users_v2

Revision ID: 1111next
Revises: 0000base
Create Date: 2026-11-26T12:00:00Z

Exported by strata from its revision of the same id.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

# revision identifiers, used by Alembic.
revision: str = "1111next"
down_revision: Union[str, Sequence[str], None] = "0000base"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # This step drops or rebuilds tables: on SQLite run it with foreign keys off (the default for
    # a new connection), or a rebuild's DROP TABLE can cascade into child rows.

    # create table userpreferences
    op.create_table(
        "userpreferences",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("theme", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=sa.text("'light'")),
        sa.Column("newsletter", sa.Boolean(), nullable=False, server_default=sa.text("0")),
        sa.PrimaryKeyConstraint("user_id"),
        sa.ForeignKeyConstraint(["user_id"], ["usertable.id"]),
    )

    # rebuild table usertable (change type of column first_name; change nullability of column last_name; add column phone)
    with op.batch_alter_table("usertable", recreate="always", copy_from=sa.Table(
        "usertable",
        sa.MetaData(),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("first_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("last_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False, server_default=sa.text("CURRENT_TIMESTAMP")),
        sa.Column("updated_at", sa.DateTime(), nullable=False, server_default=sa.text("CURRENT_TIMESTAMP")),
        sa.PrimaryKeyConstraint("id"),
    )) as batch_op:
        # new and generated columns have nothing to copy: take them out of the copy, add them empty
        batch_op.drop_column("phone")
        batch_op.add_column(sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))

    # create index ix_usertable_email on usertable
    op.create_index("ix_usertable_email", "usertable", ["email"], unique=True)


def downgrade() -> None:
    # This step drops or rebuilds tables: on SQLite run it with foreign keys off (the default for
    # a new connection), or a rebuild's DROP TABLE can cascade into child rows.

    # drop table userpreferences
    # data loss: every row of table userpreferences is deleted
    op.drop_table("userpreferences")

    # rebuild table usertable (change type of column first_name; change nullability of column last_name; drop column phone)
    with op.batch_alter_table("usertable", recreate="always", copy_from=sa.Table(
        "usertable",
        sa.MetaData(),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("first_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("last_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False, server_default=sa.text("CURRENT_TIMESTAMP")),
        sa.Column("updated_at", sa.DateTime(), nullable=False, server_default=sa.text("CURRENT_TIMESTAMP")),
        sa.PrimaryKeyConstraint("id"),
    )) as batch_op:
        batch_op.drop_column("phone")

    # create index ix_usertable_email on usertable
    op.create_index("ix_usertable_email", "usertable", ["email"], unique=False)

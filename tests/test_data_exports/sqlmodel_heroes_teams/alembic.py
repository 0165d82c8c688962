"""case sqlmodel_heroes_teams

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

    # create table team
    op.create_table(
        "team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("headquarters", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )

    # rename column hero.secret_name to alias
    op.alter_column("hero", "secret_name", new_column_name="alias")

    # rebuild table hero (rename column secret_name to alias; change nullability, default of column age; add column power; add column team_id; add foreign key (team_id) to team)
    op.execute("UPDATE \"hero\" SET \"age\" = 0 WHERE \"age\" IS NULL")
    with op.batch_alter_table("hero", recreate="always", copy_from=sa.Table(
        "hero",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("alias", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("age", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("power", sa.Float(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], ondelete="SET NULL"),
    )) as batch_op:
        # new and generated columns have nothing to copy: take them out of the copy, add them empty
        batch_op.drop_column("power")
        batch_op.drop_column("team_id")
        batch_op.add_column(sa.Column("power", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("team_id", sa.Integer(), nullable=True))

    # create index ix_hero_name on hero
    op.create_index("ix_hero_name", "hero", ["name"], unique=False)

    # create index ix_team_name on team
    op.create_index("ix_team_name", "team", ["name"], unique=True)


def downgrade() -> None:
    # This step drops or rebuilds tables: on SQLite run it with foreign keys off (the default for
    # a new connection), or a rebuild's DROP TABLE can cascade into child rows.

    # drop table team
    # data loss: every row of table team is deleted
    op.drop_table("team")

    # rename column hero.alias to secret_name
    op.alter_column("hero", "alias", new_column_name="secret_name")

    # rebuild table hero (rename column alias to secret_name; change nullability, default of column age; drop column power; drop column team_id; drop foreign key (team_id) to team)
    with op.batch_alter_table("hero", recreate="always", copy_from=sa.Table(
        "hero",
        sa.MetaData(),
        sa.Column("power", sa.Float(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("secret_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("age", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )) as batch_op:
        batch_op.drop_column("power")
        batch_op.drop_column("team_id")

    # create index ix_hero_name on hero
    op.create_index("ix_hero_name", "hero", ["name"], unique=False)

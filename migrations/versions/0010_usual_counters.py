"""usual counters on duty per queue purpose, set in the browser

Revision ID: 0010_usual_counters
Revises: 0009_office_settings
Create Date: 2026-11-28 08:30:00

`usual_counters` holds the counters a supervisor sets in `/admin/loket`; a purpose without a row keeps the
`QUEUE_COUNTERS` setting.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_usual_counters'
down_revision = '0009_office_settings'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('usual_counters',
    sa.Column('purpose_code', sa.String(length=12), nullable=False),
    sa.Column('counters', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('purpose_code', name=op.f('pk_usual_counters'))
    )


def downgrade():
    op.drop_table('usual_counters')

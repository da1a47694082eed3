"""practice mode's clock

Revision ID: 0012_practice_clock
Revises: 0011_browser_sessions
Create Date: 2026-12-08 09:00:00

`practice_clock` holds the shift of practice mode's clock from the real one (one row, in a practice
database only), so every worker of a practice server shows the same office hour.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_practice_clock'
down_revision = '0011_browser_sessions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('practice_clock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_seconds', sa.Integer(), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('set_by', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_clock'))
    )


def downgrade():
    op.drop_table('practice_clock')

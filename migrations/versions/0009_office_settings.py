"""office hours in the database, pickup places that can be switched off

Revision ID: 0009_office_settings
Revises: 0008_notifications
Create Date: 2026-11-28 08:00:00

`office_hours` holds the weekly windows a supervisor sets in `/admin/jam` (the `OFFICE_HOURS` setting
stays the default while it is empty). `pickup_place.active` lets a place stop being offered without
breaking the applications that point at it. The application table is not touched (SQLite's batch mode
would copy it and lose the expression index ix_application_name).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_office_settings'
down_revision = '0008_notifications'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('office_hours',
    sa.Column('activity', sa.String(length=12), nullable=False),
    sa.Column('weekday', sa.String(length=3), nullable=False),
    sa.Column('windows', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('activity', 'weekday', name=op.f('pk_office_hours'))
    )
    with op.batch_alter_table('pickup_place', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('pickup_place', schema=None) as batch_op:
        batch_op.drop_column('active')
    op.drop_table('office_hours')

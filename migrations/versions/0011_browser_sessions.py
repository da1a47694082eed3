"""server-side browser sessions: what a browser was granted, ended by deleting its row; no account lock

Revision ID: 0011_browser_sessions
Revises: 0010_usual_counters
Create Date: 2026-12-07 09:00:00

`browser_session` keeps, per browser, the signed-in staff member and what must not sit in a cookie (draft
PINs, unlocked applications, slip PINs). The cookie holds only a random token whose SHA-256 is the row's id.
Cookies written before this revision still load; their old keys are ignored and their users sign in again.
Wrong passwords are now counted per username and client in the rate-limit store, so the account's own lock
columns go.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_browser_sessions'
down_revision = '0010_usual_counters'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('browser_session',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('client', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_browser_session_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_browser_session'))
    )
    with op.batch_alter_table('browser_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_browser_session_seen_at'), ['seen_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_browser_session_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('failed_attempts')
        batch_op.drop_column('locked_until')


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_attempts', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('browser_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_browser_session_user_id'))
        batch_op.drop_index(batch_op.f('ix_browser_session_seen_at'))
    op.drop_table('browser_session')

"""per service, whether a person collecting for the applicant must show a letter of authority

Revision ID: 0013_proxy_letter
Revises: 0012_practice_clock
Create Date: 2026-12-08 09:00:00

`service.proxy_letter`: the handover at `/petugas/serah` asks the clerk to confirm the surat kuasa when a
representative collects a document of such a service. Existing services get it from what they hand over: a
card on a security blank (KTP-el, KIA) needs the letter; a self-printed document (KK, certificates), which
anyone holding the reference and PIN can print from the tracking page anyway, does not.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_proxy_letter'
down_revision = '0012_practice_clock'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proxy_letter', sa.Boolean(), server_default=sa.true(), nullable=False))
    service = sa.table('service', sa.column('output', sa.String), sa.column('proxy_letter', sa.Boolean))
    op.execute(service.update().where(service.c.output != 'security_blank').values(proxy_letter=False))


def downgrade():
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_column('proxy_letter')

"""duplicate applications per NIK and service: how many were open when one was sent, and why another

Revision ID: 0014_duplicates
Revises: 0013_proxy_letter
Create Date: 2026-12-08 09:00:00

Columns are added with ALTER TABLE ADD COLUMN (no batch rebuild of `application` on SQLite, which would
lose the expression index on lower(full_name)). Applications sent before this revision get their count
from the history: the other applications of the same NIK and service sent before them and not yet ended
(collected, rejected, cancelled) at that instant.
"""
from alembic import op
import sqlalchemy as sa


revision = "0014_duplicates"
down_revision = "0013_proxy_letter"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("application", sa.Column("duplicates_when_sent", sa.Integer(), server_default="0",
                                           nullable=False))
    op.add_column("application", sa.Column("duplicate_reason", sa.String(length=300), nullable=True))
    op.create_index("ix_application_nik_service", "application", ["nik", "service_code", "state"])
    op.execute(sa.text("""
        UPDATE application SET duplicates_when_sent = (
            SELECT count(*) FROM application AS other
            WHERE other.nik = application.nik AND other.service_code = application.service_code
              AND other.id != application.id AND other.submitted_at IS NOT NULL
              AND other.submitted_at < application.submitted_at
              AND NOT EXISTS (
                  SELECT 1 FROM application_event AS ended
                  WHERE ended.application_id = other.id
                    AND ended.to_state IN ('collected', 'rejected', 'cancelled')
                    AND ended.at <= application.submitted_at))
        WHERE submitted_at IS NOT NULL AND nik IS NOT NULL
    """))


def downgrade():
    op.drop_index("ix_application_nik_service", table_name="application")
    # ALTER TABLE DROP COLUMN (SQLite 3.35+), not a batch rebuild: the name index stays.
    op.drop_column("application", "duplicate_reason")
    op.drop_column("application", "duplicates_when_sent")

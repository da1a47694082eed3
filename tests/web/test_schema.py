"""What the migrations leave behind that a model cannot say by itself."""

from sqlalchemy import text

from portal.extensions import db


def test_the_name_search_index_survives_the_sqlite_table_rebuilds(app):
    """Migrations 0007 to 0009 rebuild `application` on SQLite (batch mode), which cannot copy the expression
    index on lower(full_name); 0007 makes it again. The inbox's name search needs it on both databases."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            found = db.session.execute(text(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'ix_application_name'")).scalar()
        else:
            found = db.session.execute(text(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_application_name'")).scalar()
    assert found is not None
    assert "lower(full_name)" in found.lower().replace("(full_name)::text", "full_name")  # PostgreSQL adds a cast

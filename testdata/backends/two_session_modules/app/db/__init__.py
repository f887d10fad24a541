"""Database access. Sessions come from app.db.session."""

"""Database package. Sessions come from :mod:`app.db.session`."""

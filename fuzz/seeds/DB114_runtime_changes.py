# path: app/services/tuning.py
import app.db.session as db
from app.db.session import engine


def tune(stmt):
    engine.pool_size = 20  # expect: DB114
    db.engine.pool._timeout = 5  # expect: DB114
    engine.update_execution_options(isolation_level="AUTOCOMMIT")  # expect: DB114
    return stmt.execution_options(prepare_threshold=None)  # expect: DB114

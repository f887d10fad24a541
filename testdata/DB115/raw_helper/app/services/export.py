from app.db.raw import get_conn, row_count


def export(table: str):
    conn = get_conn()  # expect: DB115?
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT * FROM " + table)
            return cursor.fetchall()
    finally:
        conn.close()


def size(table: str) -> int:
    # The helper module's other functions open nothing.
    return row_count(table)

import enum
from functools import wraps


class Mode(enum.Enum):
    COMMIT = "commit"
    FLUSH = "flush"


def managed(mode: Mode = Mode.COMMIT):
    def decorator(f):
        @wraps(f)
        def wrapped(self, *args, **kwargs):
            result = f(self, *args, **kwargs)
            if mode == Mode.COMMIT:
                self.db.commit()
            else:
                self.db.flush()
            return result

        return wrapped

    return decorator


def logged(f):
    @wraps(f)
    def wrapped(self, *args, **kwargs):
        return f(self, *args, **kwargs)

    return wrapped

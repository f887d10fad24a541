from app.db.legacy_session import build, from_request  # expect: DB112, DB112


def load(request):
    return from_request(request)


def fresh(make):
    return build(make)

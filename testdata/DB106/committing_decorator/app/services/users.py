from sqlalchemy.orm import Session

from app.utils.tx import Mode, logged, managed


class UserRepository:
    def __init__(self, db: Session):
        self.db = db

    @managed(Mode.COMMIT)  # expect: DB106?
    def rename(self, user, name):
        user.name = name

    @managed()  # expect: DB106?
    def delete(self, user):
        self.db.delete(user)

    @managed(Mode.FLUSH)
    def touch(self, user):
        user.seen = True

    @logged
    def find(self, user_id):
        return self.db.get(object, user_id)

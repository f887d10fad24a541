# path: app/services/mailer.py
"""A service that never touches the database: `session` is an SMTP session."""


def send(session, message):
    session.send(message)
    session.commit()

"""Business logic. Services receive a session; they never own the transaction."""

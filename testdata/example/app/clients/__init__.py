"""Clients for third-party APIs."""

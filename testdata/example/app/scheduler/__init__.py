"""Periodic jobs (APScheduler)."""

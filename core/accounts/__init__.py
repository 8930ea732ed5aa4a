"""Signing in: lockout, two-factor codes, password reset, session timeouts."""

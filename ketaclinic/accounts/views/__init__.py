"""Accounts pages, split by workflow: sign-in, second factor, security, sessions, password
reset, break-glass."""

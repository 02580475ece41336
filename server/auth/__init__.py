"""Accounts: passwords, bearer tokens, sign-in limits and role checks."""

"""Every state change of the accounts app, one function each: permission check, write inside
``transaction.atomic`` and an audit entry with before/after values. Views stay thin."""

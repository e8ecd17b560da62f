"""The cache every server process shares: rate limits and sign-in caps count in it.

By default it is a table in the clinic's own database (``backends.SharedDatabaseCache``),
created by this app's migration; ``KETACLINIC_CACHE_URL=redis://...`` moves it to Redis.
"""

"""Nothing of the accounts app is in Django's admin any more.

Clinic admins manage staff and shared access in the workspace (``accounts:staff_list``,
``accounts:shared_access_list``), through the audited actions in ``accounts/actions``. The
site operator, who alone keeps Django's admin, gives existing accounts a role in another
clinic with ``ketaclinic manage grantrole`` and reads every change in the audit trail.
"""

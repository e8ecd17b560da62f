"""``record_changed`` is sent by every patients action that changes what the eligibility rules
read (inside the action's transaction, after its writes), so screening reruns on every change.

Receivers get ``patient`` and ``by`` (the acting Membership, or None for the patient through
an intake link).
"""

from __future__ import annotations

from django.dispatch import Signal

record_changed = Signal()

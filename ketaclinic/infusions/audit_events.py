"""The audit actions the infusions app records (see ``ketaclinic.audit.registry``).

Each workflow module appends its own names here; one ``register`` per action."""

from __future__ import annotations

from ketaclinic.audit.registry import register, register_kind

SESSION = "infusions.infusionsession"
SETTINGS = "infusions.infusionsettings"
register_kind(SESSION, "Infusion session")
register_kind(SETTINGS, "Infusion settings")

# The state machine (infusions.states.TRANSITIONS): one action per transition.
register("infusions.session.open", "Opened an infusion session for a booking", kind=SESSION)
register("infusions.session.check_in", "Checked a patient in for an infusion", kind=SESSION)
register("infusions.session.begin_checks", "Began the pre-infusion checks", kind=SESSION)
register("infusions.session.start", "Started an infusion", kind=SESSION)
register("infusions.session.pause", "Paused an infusion", kind=SESSION)
register("infusions.session.resume", "Resumed an infusion", kind=SESSION)
register("infusions.session.complete", "Ended an infusion (recovery began)", kind=SESSION)
register("infusions.session.stop_early", "Stopped an infusion early", kind=SESSION)
register("infusions.session.begin_recovery", "Began recovery after an early stop", kind=SESSION)
register("infusions.session.discharge", "Discharged a patient after an infusion", kind=SESSION)
register("infusions.session.sign", "Signed an infusion session note", kind=SESSION)
register("infusions.session.no_show", "Marked an infusion visit a no-show", kind=SESSION)
register("infusions.session.cancel", "Cancelled an infusion session", kind=SESSION)
register("view.infusion_session", "Opened an infusion session", kind=SESSION)

# Recovery, discharge and the note (actions/recovery.py, actions/note.py).
register("infusions.recovery.assess", "Scored recovery (Aldrete and PADSS)", kind=SESSION)
register("infusions.recovery.after_effects", "Charted the after-effects checklist", kind=SESSION)
register("infusions.recovery.instructions_sent", "Sent the discharge instructions", kind=SESSION)
register("infusions.note.addendum", "Added an addendum to a signed session note", kind=SESSION)
register("view.infusion_note", "Opened an infusion session note", kind=SESSION)
register("view.infusion_instructions", "Opened discharge instructions", kind=SESSION)

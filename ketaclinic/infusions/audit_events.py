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

# Pre-infusion checks (infusions.actions.prechecks).
register("infusions.precheck.record", "Recorded a pre-infusion check", kind=SESSION)
register("infusions.precheck.override", "Overrode a failed pre-infusion check", kind=SESSION)
# Charting (infusions.actions.charting): preparation, readings, rules, strike-through, pump rate.
READING = "infusions.vitalsreading"
PUMP = "infusions.pumpevent"
FIRING = "infusions.rulefiring"
register_kind(READING, "Vitals reading")
register_kind(PUMP, "Pump event")
register_kind(FIRING, "Threshold rule firing")
register(
    "infusions.session.prepare", "Recorded an infusion's preparation and pump rate", kind=SESSION
)
register("infusions.reading.record", "Charted a vitals reading", kind=READING)
register("infusions.rule.fire", "A threshold rule fired on a reading", kind=FIRING)
register("infusions.rule.respond", "Recorded the response to a fired threshold rule", kind=FIRING)
register("infusions.entry.strike", "Struck a charted entry through", kind="")
register("infusions.pump.rate", "Changed an infusion's pump rate", kind=PUMP)
# Adverse events and rescue drugs (actions/events.py); the settings page (actions/settings.py).
EVENT = "infusions.adverseevent"
RESCUE = "infusions.rescuedose"
RULE = "infusions.thresholdrule"
DRUG = "infusions.formularydrug"
register_kind(EVENT, "Adverse event at an infusion")
register_kind(RESCUE, "Rescue drug given at an infusion")
register_kind(RULE, "Threshold rule")
register_kind(DRUG, "Rescue formulary drug")
register("infusions.event.record", "Recorded an adverse event at an infusion", kind=EVENT)
register("infusions.event.outcome", "Recorded the outcome of an adverse event", kind=EVENT)
register("infusions.rescue.give", "Gave a rescue drug at an infusion", kind=RESCUE)
register("infusions.settings.update", "Changed the clinic's infusion settings", kind=SETTINGS)
register("infusions.rule.add", "Added a threshold rule", kind=RULE)
register("infusions.rule.retire", "Retired a threshold rule", kind=RULE)
register("infusions.formulary.add", "Added a drug to the rescue formulary", kind=DRUG)
register("infusions.formulary.update", "Changed a rescue drug's dose limits", kind=DRUG)
register("infusions.formulary.retire", "Retired a drug from the rescue formulary", kind=DRUG)
# Recovery, discharge and the note (actions/recovery.py, actions/note.py).
register("infusions.recovery.assess", "Scored recovery (Aldrete and PADSS)", kind=SESSION)
register("infusions.recovery.after_effects", "Charted the after-effects checklist", kind=SESSION)
register("infusions.recovery.instructions_sent", "Sent the discharge instructions", kind=SESSION)
register("infusions.note.addendum", "Added an addendum to a signed session note", kind=SESSION)
register("view.infusion_note", "Opened an infusion session note", kind=SESSION)
register("view.infusion_instructions", "Opened discharge instructions", kind=SESSION)

"""The live infusion session: check-in, pre-infusion checks, charting at the chair, recovery,
discharge and the signed session note (clinical reference §2, §3.3, §4, §5)."""

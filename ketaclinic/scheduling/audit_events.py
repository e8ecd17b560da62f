"""The audit actions the scheduling app records (see ``ketaclinic.audit.registry``)."""

from __future__ import annotations

from ketaclinic.audit.registry import register, register_kind

BOOKING = "scheduling.booking"
CHAIR = "scheduling.chair"
SETTINGS = "scheduling.schedulingsettings"
# No describe: a booking is about a patient. The report says "Booking #12".
register_kind(BOOKING, "Booking")
register_kind(CHAIR, "Chair")
register_kind(SETTINGS, "Scheduling settings")
register_kind("scheduling.openinghours", "Opening hours")
register_kind("scheduling.closure", "Closure")
register_kind("scheduling.dutyassignment", "Staff on duty")

register("scheduling.settings.update", "Changed the clinic's scheduling settings", kind=SETTINGS)
register("scheduling.chair.add", "Added a chair", kind=CHAIR)
register("scheduling.chair.update", "Renamed, reordered or (de)activated a chair", kind=CHAIR)
register("scheduling.hours.add", "Added opening hours", kind="scheduling.openinghours")
register("scheduling.hours.remove", "Removed opening hours", kind="scheduling.openinghours")
register("scheduling.closure.add", "Added a closure", kind="scheduling.closure")
register("scheduling.closure.withdraw", "Withdrew a closure", kind="scheduling.closure")
register("scheduling.duty.add", "Put a staff member on duty", kind="scheduling.dutyassignment")
register("scheduling.duty.remove", "Took a staff member off duty", kind="scheduling.dutyassignment")
register("scheduling.booking.book", "Booked a chair for a patient", kind=BOOKING)
register("scheduling.booking.series", "Booked a series of infusions", kind=BOOKING)
register("scheduling.booking.reschedule", "Moved a booking", kind=BOOKING)
register("scheduling.booking.cancel", "Cancelled a booking", kind=BOOKING)
register("scheduling.booking.no_show", "Recorded a no-show", kind=BOOKING)
register("scheduling.booking.complete", "Marked a booking completed", kind=BOOKING)
register("scheduling.booking.reminder", "Sent a booking reminder to the patient", kind=BOOKING)
register("view.schedule_board", "Opened the day board (patients' names)", kind="")

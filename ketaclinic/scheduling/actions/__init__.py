"""The write layer of scheduling: every change is one function here (see
``ketaclinic.access.policy``); views, the demo seed, the plan page and tests call these."""

from ketaclinic.scheduling.actions.bookings import (
    book_chair,
    cancel_booking,
    complete_booking,
    record_no_show,
    reschedule_booking,
)
from ketaclinic.scheduling.actions.series import book_series
from ketaclinic.scheduling.actions.setup import (
    add_chair,
    add_closure,
    add_opening_hours,
    put_on_duty,
    remove_opening_hours,
    take_off_duty,
    update_chair,
    update_settings,
    withdraw_closure,
)

__all__ = [
    "add_chair",
    "add_closure",
    "add_opening_hours",
    "book_chair",
    "book_series",
    "cancel_booking",
    "complete_booking",
    "put_on_duty",
    "record_no_show",
    "remove_opening_hours",
    "reschedule_booking",
    "take_off_duty",
    "update_chair",
    "update_settings",
    "withdraw_closure",
]

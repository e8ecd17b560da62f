from django.urls import path

from ketaclinic.scheduling.views import board, bookings, setup

app_name = "scheduling"
urlpatterns = [
    path("schedule/", setup.setup, name="setup"),
    path("schedule/settings/", setup.settings_page, name="settings"),
    path("schedule/chairs/add/", setup.chair_add, name="chair_add"),
    path("schedule/chairs/<int:pk>/", setup.chair_edit, name="chair_edit"),
    path("schedule/hours/add/", setup.hours_add, name="hours_add"),
    path("schedule/hours/<int:pk>/remove/", setup.hours_remove, name="hours_remove"),
    path("schedule/closures/add/", setup.closure_add, name="closure_add"),
    path("schedule/closures/<int:pk>/withdraw/", setup.closure_withdraw, name="closure_withdraw"),
    path("schedule/duty/add/", setup.duty_add, name="duty_add"),
    path("schedule/duty/<int:pk>/remove/", setup.duty_remove, name="duty_remove"),
    path("schedule/board/", board.board, name="board"),
    path("schedule/board/partial/", board.board_partial, name="board_partial"),
    path("schedule/book/", bookings.book, name="book"),
    path("schedule/bookings/<int:pk>/", bookings.booking_detail, name="booking"),
    path("schedule/bookings/<int:pk>/move/", bookings.reschedule, name="reschedule"),
    path("schedule/bookings/<int:pk>/cancel/", bookings.cancel, name="cancel"),
    path("schedule/bookings/<int:pk>/no-show/", bookings.no_show, name="no_show"),
    path("schedule/bookings/<int:pk>/complete/", bookings.complete, name="complete"),
]

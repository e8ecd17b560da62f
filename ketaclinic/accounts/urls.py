from django.urls import path

from ketaclinic.accounts.views import (
    breakglass,
    invitations,
    login,
    password_reset,
    security,
    sessions,
    shared_access,
    staff,
    twofactor,
)

app_name = "accounts"
urlpatterns = [
    path("login/", login.login, name="login"),
    path("logout/", login.logout, name="logout"),
    path("logout/everywhere/", login.logout_everywhere, name="logout_everywhere"),
    path("two-factor/", twofactor.two_factor, name="two_factor"),
    path("two-factor/setup/", twofactor.two_factor_setup, name="two_factor_setup"),
    path("two-factor/recovery-codes/", twofactor.recovery_codes, name="recovery_codes"),
    path("security/", security.security, name="security"),
    path("security/password/", security.password_change, name="password_change"),
    path("security/email/", security.email_change, name="email_change"),
    path("security/confirm-password/", security.reauth, name="reauth"),
    path("sessions/", sessions.session_list, name="sessions"),
    path("sessions/<int:pk>/end/", sessions.session_end, name="session_end"),
    path("password-reset/", password_reset.password_reset, name="password_reset"),
    path("password-reset/sent/", password_reset.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        password_reset.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        password_reset.password_reset_complete,
        name="password_reset_complete",
    ),
    path("break-glass/", breakglass.break_glass, name="break_glass"),
    path("break-glass/review/", breakglass.break_glass_review, name="break_glass_review"),
    path(
        "break-glass/<int:pk>/reviewed/",
        breakglass.break_glass_reviewed,
        name="break_glass_reviewed",
    ),
    path("staff/", staff.staff_list, name="staff_list"),
    path("staff/invite/", staff.staff_invite, name="staff_invite"),
    path("staff/<int:pk>/", staff.staff_detail, name="staff_detail"),
    path(
        "staff/<int:pk>/resend-invitation/",
        staff.staff_resend_invitation,
        name="staff_resend_invitation",
    ),
    path(
        "staff/<int:pk>/revoke-invitation/",
        staff.staff_revoke_invitation,
        name="staff_revoke_invitation",
    ),
    path("staff/<int:pk>/sign-out/", staff.staff_sign_out, name="staff_sign_out"),
    path(
        "staff/<int:pk>/reset-two-factor/",
        staff.staff_reset_two_factor,
        name="staff_reset_two_factor",
    ),
    path("staff/<int:pk>/deactivate/", staff.staff_deactivate, name="staff_deactivate"),
    path("invitations/", invitations.invitation_list, name="invitations"),
    path("invitations/<int:pk>/accept/", invitations.invitation_accept, name="invitation_accept"),
    path(
        "invitations/<int:pk>/decline/",
        invitations.invitation_decline,
        name="invitation_decline",
    ),
    path(
        "staff/invitations/<int:pk>/withdraw/",
        invitations.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("staff/shared-access/", shared_access.shared_access_list, name="shared_access_list"),
    path(
        "staff/shared-access/<int:pk>/revoke/",
        shared_access.shared_access_revoke,
        name="shared_access_revoke",
    ),
]

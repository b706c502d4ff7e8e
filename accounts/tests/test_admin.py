"""The Django admin for users and the read-only audit trail."""

import pytest

from accounts.audit import record_event
from accounts.models import AuditAction, AuditEvent, User

pytestmark = pytest.mark.django_db


def change_form(user, **changes) -> dict:
    data = {
        "username": user.username,
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "initial-date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "initial-date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


@pytest.mark.parametrize("changes", [{"role": "doctor"}, {"is_active": ""}])
def test_admin_role_change_or_deactivation_revokes_tokens(api, world, browser, changes):
    signed_in = api(world.staff)
    response = browser.post(
        f"/admin/accounts/user/{world.staff.pk}/change/", change_form(world.staff, **changes)
    )
    assert response.status_code == 302, response.content[:2000]
    world.staff.refresh_from_db()
    assert world.staff.tokens_valid_after is not None
    assert signed_in.get("/api/v1/auth/me").status_code == 401
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.actor == browser.superuser and event.object_id == str(world.staff.pk)


def test_admin_lists_and_searches_users(world, browser):
    response = browser.get(f"/admin/accounts/user/?q={world.doctor.username}&role__exact=doctor")
    assert response.status_code == 200
    assert world.doctor.username.encode() in response.content


def test_audit_events_are_read_only_in_the_admin(world, browser):
    event = record_event(action=AuditAction.LOGIN, actor=world.doctor, obj=world.doctor)
    assert browser.get("/admin/accounts/auditevent/").status_code == 200
    assert browser.get(f"/admin/accounts/auditevent/{event.pk}/change/").status_code == 200
    assert browser.get("/admin/accounts/auditevent/add/").status_code == 403
    assert browser.post(f"/admin/accounts/auditevent/{event.pk}/delete/").status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_users_cannot_be_deleted_in_the_admin(world, browser):
    response = browser.post(f"/admin/accounts/user/{world.patient.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    world.patient.refresh_from_db()


def test_admin_creates_a_user_as_the_api_does(world, browser):
    form = {
        "username": "nurse",
        "email": "Nurse@Clinic.TEST",
        "full_name": "Nora Nurse",
        "role": "staff",
        "password1": "a-long-fresh-passphrase",
        "password2": "a-long-fresh-passphrase",
    }
    response = browser.post("/admin/accounts/user/add/", form)
    user = User.objects.get(username="nurse")
    assert response.status_code == 302
    assert response.url == f"/admin/accounts/user/{user.pk}/change/"
    assert (user.email, user.is_staff, list(user.groups.values_list("name", flat=True))) == (
        "Nurse@clinic.test",
        True,
        ["staff"],
    )
    assert user.check_password("a-long-fresh-passphrase")
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(user.pk))
    assert (event.actor, event.fields) == (browser.superuser, ["email", "full_name", "role", "username"])

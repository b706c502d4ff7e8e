"""Admin access by role: the groups `migrate` creates, kept in step with `role`."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client as BrowserClient

from accounts import roles, services
from accounts.audit import record_event
from accounts.models import AuditAction, Role
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def perms(group: Group) -> set[str]:
    rows = group.permissions.select_related("content_type")
    return {f"{p.content_type.app_label}.{p.codename}" for p in rows}


def test_migrate_creates_a_group_per_role_with_its_permissions():
    groups = {group.name: group for group in Group.objects.all()}
    assert {"admin", "staff", "doctor"} <= set(groups)
    staff, doctor, admin = perms(groups["staff"]), perms(groups["doctor"]), perms(groups["admin"])
    assert {"clinic.add_client", "clinic.change_client", "scheduling.add_appointment"} <= staff
    assert "clinic.delete_client" not in staff and "accounts.view_auditevent" not in staff
    assert {"clinic.view_client", "clinic.change_client", "scheduling.change_timeoff"} <= doctor
    assert "clinic.add_client" not in doctor and "scheduling.add_appointment" not in doctor
    assert {"accounts.view_auditevent", "accounts.change_user", "scheduling.delete_appointment"} <= admin


@pytest.mark.parametrize(
    ("role", "is_staff"),
    [(Role.ADMIN, True), (Role.STAFF, True), (Role.DOCTOR, True), (Role.PATIENT, False)],
)
def test_a_new_user_gets_their_roles_group_and_admin_access(role, is_staff):
    user = services.create_user(email=f"{role}@clinic.test", username=role, password=PASSWORD, role=role)
    user.refresh_from_db()
    assert user.is_staff is is_staff
    assert list(user.groups.values_list("name", flat=True)) == ([role] if is_staff else [])


def test_a_role_change_moves_the_group_and_a_patient_loses_admin_access(world):
    doctor = services.create_user(email="d@clinic.test", username="dr", password=PASSWORD, role=Role.DOCTOR)
    services.update_user(user=doctor, actor=world.admin, role=Role.STAFF)
    doctor.refresh_from_db()
    assert (doctor.is_staff, list(doctor.groups.values_list("name", flat=True))) == (True, ["staff"])

    services.update_user(user=doctor, actor=world.admin, role=Role.PATIENT)
    doctor.refresh_from_db()
    assert (doctor.is_staff, doctor.groups.count()) == (False, 0)


def test_role_change_in_the_admin_moves_the_group(world):
    superuser = UserFactory(is_superuser=True, is_staff=True, role=Role.ADMIN)
    browser = BrowserClient()
    browser.force_login(superuser)
    user = world.staff
    data = {
        "username": user.username, "email": user.email, "full_name": user.full_name, "role": "doctor",
        "is_active": "on", "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "working_hours-TOTAL_FORMS": "0", "working_hours-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = browser.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.content[:3000]
    assert list(user.groups.values_list("name", flat=True)) == ["doctor"]


def test_the_post_migrate_handler_syncs_existing_users(world):
    roles.on_post_migrate(sender=None)
    world.doctor.refresh_from_db()
    world.patient.refresh_from_db()
    assert world.doctor.is_staff and world.doctor.groups.filter(name="doctor").exists()
    assert not world.patient.is_staff


@pytest.mark.parametrize(
    ("role", "users_status", "audit_status"),
    [("admin", 200, 200), ("staff", 200, 403), ("doctor", 403, 403)],
)
def test_users_and_audit_trail_by_role(world, role, users_status, audit_status):
    user = world.user(role)
    browser = BrowserClient()
    browser.force_login(user)
    assert browser.get("/admin/accounts/user/").status_code == users_status
    assert browser.get("/admin/accounts/auditevent/").status_code == audit_status
    assert browser.get(f"/admin/accounts/user/{world.admin.pk}/delete/").status_code == 403


@pytest.mark.parametrize("rows", [3, 30])
def test_user_and_audit_changelists_do_not_grow_with_rows(world, django_assert_max_num_queries, rows):
    superuser = UserFactory(is_superuser=True, is_staff=True, role=Role.ADMIN)
    browser = BrowserClient()
    browser.force_login(superuser)
    for user in UserFactory.create_batch(rows):
        record_event(action=AuditAction.LOGIN, actor=user, obj=user)
    with django_assert_max_num_queries(8):
        assert browser.get("/admin/accounts/user/").status_code == 200
    with django_assert_max_num_queries(9):  # one more than users: the actor filter's choices
        assert browser.get("/admin/accounts/auditevent/").status_code == 200

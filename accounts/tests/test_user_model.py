import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import IntegrityError

from accounts.models import Role, User
from config.tests.live import child_database_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def doctor():
    return User.objects.create_user("dr.who", "Who@Clinic.test", "s3cret-pass!", role=Role.DOCTOR)


@pytest.mark.parametrize("login", ["dr.who", "DR.WHO", "who@clinic.test", "WHO@CLINIC.TEST"])
def test_login_by_username_or_email(doctor, login):
    assert authenticate(username=login, password="s3cret-pass!") == doctor


def test_wrong_password_or_inactive_user_cannot_authenticate(doctor):
    assert authenticate(username="dr.who", password="wrong") is None
    doctor.is_active = False
    doctor.save()
    assert authenticate(username="dr.who", password="s3cret-pass!") is None


def test_email_is_unique_case_insensitively(doctor):
    with pytest.raises(IntegrityError):
        User.objects.create_user("other", "WHO@clinic.test", "x")


def test_username_is_unique_case_insensitively(doctor):
    with pytest.raises(IntegrityError):
        User.objects.create_user("Dr.Who", "other@clinic.test", "x")


def test_superuser_counts_as_admin_whatever_its_role():
    user = User.objects.create_user("root", "root@clinic.test", "x", role=Role.PATIENT, is_superuser=True)
    assert user.is_admin and user.is_clinic_staff and not user.is_patient


@pytest.mark.django_db(transaction=True)
def test_createsuperuser_noinput_reads_the_environment():
    env = {
        **os.environ,
        "DJANGO_SUPERUSER_USERNAME": "boss",
        "DJANGO_SUPERUSER_EMAIL": "boss@clinic.test",
        "DJANGO_SUPERUSER_PASSWORD": "a-long-passphrase-1",
        "DATABASE_URL": child_database_url(),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "createsuperuser", "--noinput"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    boss = User.objects.get(username="boss")
    assert boss.role == Role.ADMIN and boss.is_superuser and boss.is_staff
    assert boss.check_password("a-long-passphrase-1")

"""Test-wide fixtures: a clean Redis per test, a Redis nobody answers
(`redis_unreachable`), a ready clinic (`world`), and API clients signed in as
any of its people (`api`) or as a superuser in the admin (`browser`). Each
app's own fixtures are in its tests/conftest.py.

The embedded servers (DATABASE_URL/REDIS_URL unset) are started and stopped by
the pytest plugin config/test_environment.py."""

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client as BrowserClient
from django.utils import translation
from rest_framework.test import APIClient

from accounts import tokens, user_cache
from accounts.models import Role, User
from accounts.tests.factories import AdminFactory, DoctorFactory, StaffFactory, UserFactory
from clinic.models import Client
from clinic.tests.factories import ClientFactory


@pytest.fixture(autouse=True)
def _clean_cache():
    """Every test starts with an empty Redis: no cached page or count leaks across tests."""
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in LANGUAGE_CODE: the language a request activated
    stays active in its thread afterwards (as in a server's worker, where the
    next request sets its own)."""
    translation.deactivate()


@pytest.fixture
def redis_unreachable(settings, tmp_path):
    """Point the cache at a socket nobody listens on: the real client, failing."""
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": f"unix://{tmp_path}/nobody.sock?db=0",
        }
    }


@dataclass
class World:
    """A small clinic: an admin, two doctors, a staff member and two patients,
    each patient with their own record assigned to a different doctor."""

    admin: User
    doctor: User
    other_doctor: User
    staff: User
    patient: User
    other_patient: User
    client: Client
    other_client: Client

    def user(self, role: str) -> User | None:
        """The world's user for a role name used in parametrized tests ('anonymous' → None)."""
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture
def world(db) -> World:
    doctor, other_doctor = DoctorFactory(), DoctorFactory()
    patient, other_patient = UserFactory(), UserFactory()
    return World(
        admin=AdminFactory(),
        doctor=doctor,
        other_doctor=other_doctor,
        staff=StaffFactory(),
        patient=patient,
        other_patient=other_patient,
        # Names no Faker name or page text contains, so "not shown" can be asserted by name.
        client=ClientFactory(
            user=patient, assigned_doctor=doctor, first_name="Mirela", last_name="Vandersloot"
        ),
        other_client=ClientFactory(
            user=other_patient, assigned_doctor=other_doctor, first_name="Teodor", last_name="Quennell"
        ),
    )


@pytest.fixture
def admin_as():
    """`admin_as(user)`: a browser signed in to the admin site as `user`."""

    def sign_in(user: User) -> BrowserClient:
        browser = BrowserClient()
        browser.force_login(user)
        return browser

    return sign_in


@pytest.fixture
def admin_client(world, admin_as):
    """The world's admin, made a superuser, signed in to the admin site (in
    place of pytest-django's `admin_client`, so the actor is one of the world)."""
    world.admin.is_superuser = True
    world.admin.save()
    return admin_as(world.admin)


@pytest.fixture
def browser(world, admin_as):
    """A browser signed in to the admin as a superuser (`browser.superuser`)."""
    superuser = UserFactory(is_superuser=True, is_staff=True, role=Role.ADMIN)
    client = admin_as(superuser)
    client.superuser = superuser
    return client


@pytest.fixture
def api():
    """`api(user)`: an APIClient signed in as `user` (None: anonymous) with a
    real encrypted access token, so every test goes through the real
    authentication. The user is put in the token cache as their first request
    would, so query counts measure the view alone."""

    def make(user: User | None = None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.access_for(user)}")
            user_cache.remember(user)
        return client

    return make

"""createsuperuser --noinput applies the password validators and is audited."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditEvent, User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("password", ["123", "password123", "ops-admin1"])
def test_noinput_refuses_a_weak_password(monkeypatch, password):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", password)
    with pytest.raises(CommandError, match="DJANGO_SUPERUSER_PASSWORD"):
        call_command("createsuperuser", interactive=False, username="ops-admin", email="ops@example.org")
    assert not User.objects.filter(username="ops-admin").exists()
    assert not AuditEvent.objects.exists()


def test_noinput_with_a_strong_password_creates_an_audited_superuser(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "kettle-Orbit-42-glacier")
    call_command("createsuperuser", interactive=False, username="ops-admin", email="ops@example.org")
    user = User.objects.get(username="ops-admin")
    assert user.is_superuser and user.check_password("kettle-Orbit-42-glacier")
    event = AuditEvent.objects.get()
    assert (event.action, event.object_type, event.object_id) == ("create", "user", str(user.pk))
    assert event.fields == ["is_superuser", "role"]

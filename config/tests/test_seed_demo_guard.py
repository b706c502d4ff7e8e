"""seed_demo on a copy of real data: refused unless forced, and audited."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditEvent, User

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_a_database_with_real_accounts(world):
    before = User.objects.count()
    with pytest.raises(CommandError, match="not demo ones"):
        call_command("seed_demo", doctors=2, clients=5, appointments=5)
    assert not User.objects.filter(username="admin").exists()
    assert User.objects.count() == before
    assert not AuditEvent.objects.exists()


def test_seed_demo_if_empty_still_leaves_a_used_database_alone_without_error(world):
    call_command("seed_demo", if_empty=True)
    assert not User.objects.filter(username="admin").exists()


def test_seed_demo_force_seeds_a_database_with_real_accounts(world):
    call_command("seed_demo", doctors=2, clients=5, appointments=5, force=True)
    assert User.objects.get(username="admin").is_superuser


def test_seed_demo_audits_every_account_and_bulk_table_it_creates():
    call_command("seed_demo", doctors=3, clients=10, appointments=20, if_empty=True)
    made = set(User.objects.values_list("pk", flat=True))
    audited = set(
        AuditEvent.objects.filter(action="create", object_type="user").values_list("object_id", flat=True)
    )
    assert audited == {str(pk) for pk in made}
    bulk = dict(
        AuditEvent.objects.filter(object_type__startswith="seed_demo:").values_list(
            "object_type", "object_id"
        )
    )
    assert bulk == {"seed_demo:clients": "9", "seed_demo:appointments": "20"}


def test_seed_demo_reruns_on_its_own_demo_data():
    call_command("seed_demo", doctors=2, clients=5, appointments=5)
    call_command("seed_demo", doctors=2, clients=5, appointments=5)
    assert User.objects.filter(username="admin").count() == 1

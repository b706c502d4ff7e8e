import factory

from accounts import roles
from accounts.models import Role, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@clinic.test")
    full_name = factory.Faker("name")
    role = Role.PATIENT
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role_access(user, create, extracted, **kwargs):
        """`is_staff` and the role's group, as accounts.services leaves every saved
        user; `role_access=False` keeps the flags as given (a row the app never makes)."""
        if create and extracted is not False:
            roles.apply_role(user)


class DoctorFactory(UserFactory):
    role = Role.DOCTOR
    username = factory.Sequence(lambda n: f"doctor{n}")


class AdminFactory(UserFactory):
    role = Role.ADMIN
    username = factory.Sequence(lambda n: f"admin{n}")
    is_staff = True


class StaffFactory(UserFactory):
    role = Role.STAFF
    username = factory.Sequence(lambda n: f"staff{n}")

import factory

from clinic.models import Client


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda c: f"{c.first_name}.{c.last_name}@example.test".lower())
    phone = factory.Sequence(lambda n: f"+1555{n:07d}")
    medical_history = "No known allergies."

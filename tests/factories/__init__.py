import factory
from django.contrib.auth.models import Group, User

from organisation.models import CostCentre, Person, Unit


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"Enhet {n}")
    parent = None


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    title = "Handläggare"
    unit = factory.SubFactory(UnitFactory)
    email = factory.Sequence(lambda n: f"person{n}@kommun.example")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for code in extracted or ():
            self.groups.add(Group.objects.get_or_create(name=code)[0])
        self.save()


class CostCentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostCentre

    code = factory.Sequence(lambda n: f"{1000 + n}")
    name = factory.Sequence(lambda n: f"Kostnadsställe {n}")
    unit = factory.SubFactory(UnitFactory)
    budget_manager = factory.SubFactory(PersonFactory)


def person_with_user(*, unit, roles=(), username=None, **kwargs):
    """A Person in `unit` with a linked user account holding `roles`."""
    user = UserFactory(roles=roles, **({"username": username} if username else {}))
    return PersonFactory(unit=unit, user=user, **kwargs)

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from channels.models import Channel
from inbox.models import Contact, Conversation, Message

PASSWORD = "demo-pass-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="es_ES")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            # get_or_create: transactional tests flush the groups the migration made.
            self.groups.add(Group.objects.get_or_create(name=extracted)[0])
        self.save()


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    kind = "web"
    name = factory.Sequence(lambda n: f"Web {n}")
    key = factory.Sequence(lambda n: f"web-{n}")
    credentials = factory.LazyFunction(lambda: {"secret": "test-secret"})


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    channel = factory.SubFactory(ChannelFactory)
    external_id = factory.Sequence(lambda n: f"cliente{n}@example.com")
    handle = factory.LazyAttribute(lambda c: c.external_id)
    display_name = factory.Faker("name", locale="es_ES")
    email = factory.LazyAttribute(lambda c: c.external_id)


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    channel = factory.SubFactory(ChannelFactory)
    contact = factory.SubFactory(ContactFactory, channel=factory.SelfAttribute("..channel"))
    kind = Conversation.Kind.PRIVATE
    thread_key = factory.LazyAttribute(lambda c: f"email:{c.contact.external_id}")
    subject = "Consulta"
    first_inbound_at = factory.LazyFunction(timezone.now)
    last_inbound_at = factory.LazyAttribute(lambda c: c.first_inbound_at)
    waiting_since = factory.LazyAttribute(lambda c: c.first_inbound_at)


class InboundMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    channel = factory.LazyAttribute(lambda m: m.conversation.channel)
    direction = Message.Direction.IN
    external_id = factory.Sequence(lambda n: f"ext-{n}")
    author_contact = factory.LazyAttribute(lambda m: m.conversation.contact)
    body = "¿A qué hora abrís el domingo?"
    created_at = factory.LazyFunction(timezone.now)

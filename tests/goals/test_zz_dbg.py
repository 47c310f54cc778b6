from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from tests.factories import ProgramFactory


def test_dbg(client, world):
    client.force_login(world.coordinator)
    for _ in range(3):
        Membership.objects.create(user=world.coordinator, program=ProgramFactory(vocabularies=False), role="coordinator")
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("home"))
    for q in ctx.captured_queries:
        print(q["sql"][:160])

import pytest
from django.contrib.auth.models import Group

from federation.core.roles import ROLES, role_permissions

pytestmark = pytest.mark.django_db


def test_every_role_group_exists_with_exactly_its_permissions():
    wanted = role_permissions()
    for role in ROLES:
        group = Group.objects.get(name=role)
        have = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert have == wanted[role]
    assert "activities.publish_article" not in wanted["federation_staff"]
    assert all(p.split(".")[1].startswith("view_") for p in wanted["viewer"])

"""A stand-in for ``seed_demo`` (issue #2) until it lands: the seed's scale, built with the test
factories. Run by the bench in its own database only."""

from __future__ import annotations

import os
import random

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "federation.settings")
django.setup()

from tests import factories  # noqa: E402


def main() -> None:
    rng = random.Random(6)
    district = factories.DistrictFactory()
    federations = [factories.FederationFactory(parent=district) for _ in range(120)]
    for federation in federations[:15]:
        factories.WomenGroupFactory.create_batch(3, parent=federation)
    for i in range(400):
        factories.EnterpriseFactory(federation=rng.choice(federations) if i % 5 else None)
    for _ in range(336):
        factories.ServiceSiteFactory(federation=rng.choice(federations))
    for _ in range(120):
        factories.ActivityFactory(organizer=rng.choice(federations))
    for i in range(300):
        factories.ArticleFactory(
            federation=rng.choice(federations),
            body="<p>" + "巾帼心向党，妇联在行动。" * (20 + i % 30) + "</p>",
        )
    factories.ExemplarFactory.create_batch(60)
    print("stand-in data: 120 federations, 400 enterprises, 336 sites, 120 activities, 300 articles")


if __name__ == "__main__":
    main()

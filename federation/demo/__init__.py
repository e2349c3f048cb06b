"""Demo data at the seed's scale: the network the district federation's report describes.

Everything is generated from a fixed random seed, so every run plans the same records; dates are
relative to the day of loading, so the demo always has recent news and upcoming activities.
Loading is idempotent: each record has a natural key (a name, a credit code, a slug, a session
number, …) and only the records whose key is missing are created, together with their children.
Existing records are never changed, so a second run writes nothing, and an edit made in the admin
survives a re-run. Photos are real JPEGs drawn with Pillow under deterministic names; a file that
already exists is not written again.

The figures below are the seed's (``shared/seed``); the tests assert them against the database.
"""

from federation.demo.load import demo_counts, demo_seed
from federation.demo.plan import build_plan
from federation.demo.vocabulary import *  # noqa: F403 - the seed's figures, asserted by the tests

__all__ = ["build_plan", "demo_counts", "demo_seed"]

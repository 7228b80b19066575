"""Small simulated scenarios shared by tests (built once per test run)."""

from functools import lru_cache

from coastwatch.simulate import simulate


@lru_cache(maxsize=4)
def scenario(vessels: int = 90, seed: int = 11, day: str = "2024-01-15", days: int = 1):
    """A simulated scenario with every kind of planted incident."""
    return simulate(
        day, days=days, vessels=vessels, seed=seed, incidents_per_day=(5, 5)
    )

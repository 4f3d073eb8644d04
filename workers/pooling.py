"""Small teams are pooled: one rule for every team-level number Breather shows.

A team smaller than the minimum group size (BREATHER_MIN_GROUP_SIZE) is never shown under its
own name; its numbers join the "small teams" pool. Group data still reaches individuals when the
group is small (BAG 1 ABR 6/94), so this applies to the API, the metrics and the evidence alike.
Pure: team sizes in, labels out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

SMALL_TEAMS = "small teams"
UNASSIGNED = "unassigned"


class TeamPool:
    """Maps a team name to the label it may be shown under.

    Usage: ``TeamPool.from_teams(["Billing"] * 6 + ["Tiny"] * 3, 5).label("Tiny")`` gives
    ``"small teams"``. A team Breather knows no agents of (size 0) is pooled too: fail closed.
    """

    def __init__(self, sizes: dict[str, int], min_group_size: int):
        self.sizes = dict(sizes)
        self.min_group_size = min_group_size

    @classmethod
    def from_teams(cls, teams: Iterable[str | None], min_group_size: int) -> TeamPool:
        """Build from one team name per agent (None or "" for an agent without a team)."""
        return cls(Counter(team or UNASSIGNED for team in teams), min_group_size)

    def label(self, team: str | None) -> str:
        team = team or UNASSIGNED
        return team if self.sizes.get(team, 0) >= self.min_group_size else SMALL_TEAMS

    def is_shown(self, label: str) -> bool:
        """Whether a label is one this pool may show (a large team or the pool itself)."""
        return label == SMALL_TEAMS or self.label(label) == label

    def pooled_size(self, label: str) -> int:
        return sum(size for team, size in self.sizes.items() if self.label(team) == label)

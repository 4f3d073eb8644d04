"""Small statistics over a (pooled) team's agents: quantiles and how evenly exposure is spread."""

from __future__ import annotations


def quantile(sorted_values: list[float], q: float) -> float:
    """Linear-interpolation quantile of sorted values (0.0 for an empty list)."""
    if not sorted_values:
        return 0.0
    position = q * (len(sorted_values) - 1)
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    value = sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)
    return round(value, 2)


def exposure_gini(exposures: list[float]) -> float:
    """Gini coefficient of hostile exposure: 0 when everyone carries the same, toward 1 when
    one person carries it all. The hot-queue rotation should bring it down."""
    values = sorted(max(0.0, x) for x in exposures)
    total, n = sum(values), len(values)
    if n < 2 or total <= 0:
        return 0.0
    weighted = sum((i + 1) * x for i, x in enumerate(values))
    return round(2 * weighted / (n * total) - (n + 1) / n, 4)

"""Vendor timestamps become one form, ISO-8601 UTC with Z; what is not a time becomes None."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.records import iso


@pytest.mark.parametrize(("raw", "expected"), [
    ("2026-11-29T10:00:00Z", "2026-11-29T10:00:00Z"),
    ("2026-11-29T12:00:00+02:00", "2026-11-29T10:00:00Z"),
    ("2026-11-29T10:00:00.250Z", "2026-11-29T10:00:00Z"),
    ("2026-11-29T10:00:00", "2026-11-29T10:00:00Z"),  # no zone: Freshdesk means UTC
    (1_764_410_400, "2025-11-29T10:00:00Z"),
    (1_764_410_400.9, "2025-11-29T10:00:00Z"),
    (-1.5, "1969-12-31T23:59:58Z"),
])
def test_timestamps_in_every_vendor_form(raw, expected):
    assert iso(raw) == expected


@pytest.mark.parametrize("raw", [
    None, "", "2026-13-29T10:00:00Z", "2026-02-30T10:00:00Z", "2026-11-29T25:00:00Z",
    "abcd-ef-ghTij:kl:mnZ", "yesterday", float("nan"), float("inf"), 1e20,
    253_402_300_800, -62_135_596_801,
])
def test_what_is_not_a_time_is_none(raw):
    assert iso(raw) is None


@given(st.integers(min_value=-30_610_224_000, max_value=253_402_300_799))  # years 1000-9999
def test_unix_seconds_read_as_datetime_reads_them(seconds):
    """The fast paths (gmtime for numbers, a string already in our form kept as sent) agree
    with datetime, and a formatted time reads back as itself."""
    text = iso(seconds)
    assert text == datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert iso(text) == text

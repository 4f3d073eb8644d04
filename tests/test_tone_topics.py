"""The topic groups of bench.tone_topics: a tweet goes with the first topic it names."""

from __future__ import annotations

import pytest

from bench.tone_topics import topic


@pytest.mark.parametrize(("text", "expected"), [
    ("@user Merkel muss weg", "merkel"),
    ("Die AfD und die Flüchtlinge", "afd"),  # the first topic in TOPICS order wins
    ("Asylbewerber an der Grenze", "refugees"),
    ("Der Koran und die Moschee", "islam"),
    ("Schon wieder die Tagesschau", "media"),
    ("Erdogan droht der EU", "foreign politics"),
    ("Die Grünen wollen Tempolimit", "left and greens"),
    ("Schönes Wetter heute", None),
    ("Agrarreform", None),  # "grün" only at a word's start
])
def test_a_tweet_goes_with_the_first_topic_it_names(text, expected):
    assert topic(text) == expected

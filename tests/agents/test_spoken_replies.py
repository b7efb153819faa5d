"""Model text made speakable, and heard text normalised for matching."""

import pytest

from agents.engines.spoken import MAX_CHARS, speakable_reply
from agents.engines.wording import normalise


@pytest.mark.parametrize(
    ("model_text", "spoken"),
    [
        ("**Yes!** We open at *nine*.", "Yes! We open at nine."),
        ("## Hours\n- Monday: 9 to 6\n- Tuesday: 9 to 6", "Hours Monday: 9 to 6 Tuesday: 9 to 6"),
        ("See [our site](https://example.com) 👍🏽", "See our site"),
        ("<think>the user wants hours</think>We open at nine.", "We open at nine."),
        ("Use `flametree start` to begin.", "Use flametree start to begin."),
        ("One. Two. Three. Four. Five.", "One. Two. Three."),
        ("   ", ""),
    ],
)
def test_model_text_is_made_speakable(model_text, spoken):
    assert speakable_reply(model_text) == spoken


def test_a_long_reply_is_cut_at_a_word():
    spoken = speakable_reply("word " * 200)
    assert len(spoken) <= MAX_CHARS + 1 and spoken.endswith("word…")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("What are your opening hours?", "what are your opening hours"),
        ("what   are your\topening hours", "What are your opening-hours."),
        ("What’s the price?", "what's the price"),
        ("'quoted' words", "quoted words"),
    ],
)
def test_case_punctuation_and_spacing_do_not_count(a, b):
    assert normalise(a) == normalise(b)


def test_different_words_stay_different():
    assert normalise("what are your hours") != normalise("where are you")

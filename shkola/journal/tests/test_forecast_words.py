"""The forecast's period words are translated once per process and language (issue 14)."""

from __future__ import annotations

import pytest
from django.utils import translation

from shkola.journal import grading


@pytest.mark.parametrize("scheme", ["quarters", "trimesters", "halves"])
def test_the_cached_words_are_the_translated_words_of_the_active_language(scheme):
    for language in ("ru", "en"):
        with translation.override(language):
            assert grading._period_words(scheme) == grading._period_words_translated(scheme)
            assert (language, scheme) in grading._PERIOD_WORDS
    with translation.override("ru"):
        assert grading._period_words(scheme)["in"].startswith("в это")

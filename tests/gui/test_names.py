"""Shortened names that still tell classes and columns apart (gui/names.py)."""

from __future__ import annotations

from gui.names import distinct_shortened, shortened


def short(chars):
    return lambda name: shortened(name, chars)


def test_names_that_fit_or_differ_early_are_only_shortened():
    assert distinct_shortened(["setosa", "versicolor", "virginica"], short(8)) == ["setosa", "versico…", "virgini…"]
    assert distinct_shortened(["4.0.3 and up", "Varies with device"], short(6)) == ["4.0.3…", "Varie…"]


def test_the_words_every_name_shares_are_left_out_when_shortening_would_merge_them():
    names = [f"Very long species name number {k} of the genus Examplea" for k in (7, 8, 12)]
    assert distinct_shortened(names, short(20)) == ["…7…", "…8…", "…12…"]
    # a shared start only, cut at a word: "item 1" is common to all, but the 1 belongs to each number
    assert distinct_shortened(["measurement item 12", "measurement item 13", "measurement item 2"],
                              short(10)) == ["…12", "…13", "…2"]
    # what is left is shortened again when it is still too long
    names = ["Questionnaire answer: strongly agree with it", "Questionnaire answer: strongly disagree"]
    assert distinct_shortened(names, short(10)) == ["…agree wi…", "…disagree"]


def test_names_that_cannot_be_told_apart_by_their_ends_keep_the_plain_shortening():
    names = ["alpha centre beta", "alpha middle beta"]
    assert distinct_shortened(names, short(8)) == ["alpha c…", "alpha m…"]     # apart already
    same_start = ["abcdef1", "abcdef2"]                   # no word boundary: nothing to leave out
    assert distinct_shortened(same_start, short(4)) == ["abc…", "abc…"]
    assert distinct_shortened(["x"], short(4)) == ["x"]
    assert distinct_shortened(["dog", "dog house"], short(3)) == ["dog", "do…"]

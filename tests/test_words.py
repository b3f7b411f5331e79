"""Word grouping (attnscope.inputs.words): subword markers and word_ids, table-driven; the ``words`` field in
the widget state, from markers and from MiniLM's fast tokenizer."""

import numpy as np
import pytest
from inputs_helpers import has, message, softmax

import attnscope
from attnscope.inputs import words

MARKERS = [
    ("wordpiece", ["[CLS]", "un", "##bel", "##ie", "##va", "##bly", "playing", "[SEP]"],
     [0, 1, 1, 1, 1, 1, 2, 3], ["[CLS]", "unbelievably", "playing", "[SEP]"]),
    ("wordpiece after a special token", ["[CLS]", "##x", "a", "##b"], [0, 1, 2, 2], ["[CLS]", "##x", "ab"]),
    ("byte-level", ["The", "Ġanimal", "Ġdidn", "'t", "Ġcross", "Ġtired", "."],
     [0, 1, 2, 3, 4, 5, 6], ["The", "animal", "didn", "'t", "cross", "tired", "."]),
    ("byte-level subwords and digits", ["Ġunbel", "iev", "ably", "Ġ20", "25", "!", "?"],
     [0, 0, 0, 1, 1, 2, 2], ["unbelievably", "2025", "!?"]),
    ("byte-level specials", ["<|endoftext|>", "Hello", "Ġworld", "Ċ", "Hi"],
     [0, 1, 2, 3, 4], ["<|endoftext|>", "Hello", "world", "Ċ", "Hi"]),  # a newline: a word
    ("roberta", ["<s>", "The", "Ġplay", "ing", "</s>"], [0, 1, 2, 2, 3], ["<s>", "The", "playing", "</s>"]),
    ("sentencepiece", ["▁The", "▁play", "ing", "▁tired", ".", "</s>"],
     [0, 1, 1, 2, 2, 3], ["The", "playing", "tired.", "</s>"]),
    ("llama", ["<s>", "▁Hello", "▁wor", "ld"], [0, 1, 2, 2], ["<s>", "Hello", "world"]),
]


@pytest.mark.parametrize("case,tokens,index,labels", MARKERS, ids=[m[0] for m in MARKERS])
def test_marker_words(case, tokens, index, labels):
    assert words.marker_words(tokens) == (index, labels)


@pytest.mark.parametrize("tokens", [["the", "cat", "sat"], ["[CLS]", "a", "[SEP]"], ["<s>", "</s>"]])
def test_no_marker_tells_no_boundary(tokens):
    assert words.marker_words(tokens) is None


@pytest.mark.parametrize("word_ids,index", [
    ([None, 0, 1, 1, None], [0, 1, 2, 2, 3]),
    ([None, 0, 1, None, 0, 0, None], [0, 1, 2, 3, 4, 4, 5]),  # a text pair: sentence B's ids start at 0 again
    ([0, 0, 0], [0, 0, 0]),
    ([None, None], [0, 1]),
])
def test_id_words(word_ids, index):
    tokens = ["t%d" % i for i in range(len(word_ids))]
    got_index, labels = words.id_words(word_ids, tokens)
    assert got_index == index and len(labels) == index[-1] + 1


def test_id_words_labels_drop_markers():
    assert words.id_words([None, 0, 0, 1, None], ["[CLS]", "play", "##ing", "ball", "[SEP]"])[1] == [
        "[CLS]", "playing", "ball", "[SEP]"]


def test_section_words_of_cross_attention_fill_the_unknown_side():
    got = words.section_words(["▁a", "b"], ["x", "y", "z"], same_positions=False)
    assert got == {"query": [0, 0], "key": [0, 1, 2], "query_labels": ["ab"], "key_labels": ["x", "y", "z"]}
    assert words.section_words(["a"], ["x"], same_positions=False) is None


@pytest.mark.parametrize("value,exc,fragment", [
    ("0 1", TypeError, "expected a list of int or None"),
    ([0, 1], ValueError, "2 word ids for 3 tokens"),
    ([0, -1, None], TypeError, "item 1 is -1"),
    ([0, 1.0, 2], TypeError, "item 1 is 1.0"),
])
def test_bad_word_ids(value, exc, fragment):
    has(message(exc, words.check_word_ids, value, "word_ids['tokens']", 3), "word_ids['tokens']", fragment)


def test_words_in_the_state_are_read_before_prettifying(recording_comm):
    tokens = ["<s>", "The", "Ġplay", "ing", "</s>"]
    w = attnscope.show(softmax((2, 2, 5, 5)), tokens, views=("matrix",))
    (sec,) = w.sections
    assert sec["query_tokens"][2] == " play"  # prettified
    assert sec["words"] == {"query": [0, 1, 2, 2, 3], "key": [0, 1, 2, 2, 3],
                            "query_labels": ["<s>", "The", "playing", "</s>"],
                            "key_labels": ["<s>", "The", "playing", "</s>"]}
    assert "words" not in attnscope.show(softmax((2, 2, 3, 3)), ["a", "b", "c"]).sections[0]


def test_word_ids_argument_is_checked():
    has(message(ValueError, attnscope.show, softmax((1, 1, 3, 3)), ["a", "b", "c"], word_ids={"encoder_tokens": [0]}),
        "word_ids: 'encoder_tokens' is not one of the token arguments given ['tokens']")
    has(message(ValueError, attnscope.show, softmax((1, 1, 3, 3)), ["a", "b", "c"], word_ids={"tokens": [0, 1]}),
        "word_ids['tokens']: got 2 word ids for 3 tokens")


@pytest.mark.slow
def test_minilm_word_ids(minilm, recording_comm):
    model, tokenizer = minilm
    sentence = "The animal didn't cross the street because it was too tired"
    result = attnscope.from_model(model, tokenizer, sentence)
    assert result.tokens[3:6] == ["didn", "'", "t"]
    assert result.word_ids == {"tokens": [None] + list(range(13)) + [None]}
    sec = result.matrix_view(group="word").sections[0]
    assert sec["words"]["query"] == list(range(15))  # WordPiece splits "didn't" into three words, as word_ids says
    assert sec["words"]["query_labels"] == result.tokens
    sec = attnscope.from_model(model, tokenizer, "unbelievably tired").text_view().sections[0]
    assert sec["words"]["query"] == [0, 1, 1, 1, 1, 1, 2, 3]
    assert sec["words"]["key_labels"] == ["[CLS]", "unbelievably", "tired", "[SEP]"]
    assert np.array_equal(sec["words"]["query"], sec["words"]["key"])

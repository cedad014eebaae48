from __future__ import annotations

import numpy as np
import pytest

from miner.errors import StageError
from miner.stages import problems, questions


def test_held_out_figures_are_printed_and_beat_a_floor():
    rep = questions.train_and_evaluate(save=False)
    print(rep)
    assert rep["held_out"] >= 100 and rep["train"] + rep["held_out"] >= 400
    assert rep["classifier"]["f1"] >= 0.7 and rep["classifier"]["precision"] >= 0.75


def test_labels_come_from_three_lists():
    lists = {r["list"] for r in questions.load_labels()}
    assert len(lists) >= 3


@pytest.mark.parametrize("text", [
    "Does anyone know how to fit a multilevel model?", "Is there a way to plot this?",
    "Est-ce que quelqu'un sait comment faire ?", "¿Alguien sabe cómo hacerlo?",
    "Weiß jemand, wie man das macht?", "We are facing an issue with the login.",
])
def test_rules_fire_on_questions_in_five_languages(text):
    assert questions.rule_score(text) == 1.0


def test_saved_model_round_trips_as_json(tmp_path):
    clf = questions.QuestionClassifier().fit(["how do I do this?", "thanks a lot", "any idea?",
                                              "see the manual"], [1, 0, 1, 0])
    path = clf.save(tmp_path / "q.json")
    back = questions.QuestionClassifier.load(path)
    s = ["any idea how?", "see the manual"]
    assert np.allclose(clf.predict_proba(s), back.predict_proba(s))
    with pytest.raises(StageError, match="not fitted"):
        questions.QuestionClassifier().predict(["x"])


def test_grouping_and_same_problem_on_vectors():
    v = np.array([[1, 0, 0], [0.95, 0.31, 0], [0, 1, 0], [0, 0, 1]], dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    labels = problems.group(v, 0.8)
    assert labels[0] == labels[1] and len(set(labels)) == 3
    assert problems.same_problem(v, 0, 1, threshold=0.8) is True
    assert problems.same_problem(v, 0, 2) == pytest.approx(0.0, abs=1e-6)
    assert problems.central(v[:2]) in (0, 1)
    assert problems.clean_subject("Re: [R-meta] AW: effect sizes") == "effect sizes"


def test_rule_matrix_equals_the_per_sentence_rules():
    sents = [r["text"] for r in questions.load_labels()] + [
        "", "?", "  What?  ", "?!\nwhat now", "thanks\nbut", "a\nb?", "¿Qué?", "... how so",
        "WHAT IS THIS?", "Subject: hi", "BETREFF: x", "DOES ANYONE KNOW", "Danke schön"]
    expected = np.stack([questions.rule_features(s) for s in sents])
    assert np.array_equal(questions.rule_matrix(sents), expected)
    # a text whose lowercase changes length takes the case-insensitive patterns
    odd = sents + ["İstanbul: how can I get there?"]
    assert np.array_equal(questions.rule_matrix(odd)[:len(sents)], expected)
    assert questions.rule_matrix([]).shape == (0, expected.shape[1])

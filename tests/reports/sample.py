"""Sessions for report tests, submitted and graded through `PracticeSession` with hand-made grades.

The second session holds every awkward case: evidence to highlight, a skipped question, an LLM
fallback grade, an empty answer, a 100 KB answer, Markdown/HTML specials with a <script>, Chinese and
Arabic text, and a follow-up answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from interviewer.grading.result import FlagCode, FollowUp
from interviewer.store import SessionStore
from tests.store.factories import answer_and_grade, make_grade, make_submission, session_of

SCRIPT_ANSWER = (
    "<script>alert('pwned')</script> ReLU is *max(0, x)* & its gradient is `1` for x > 0 | 0 otherwise.\n"
    "# not a heading\n- not a list\n1. not numbered\n[link](javascript:alert(1)) <img src=x onerror=alert(1)>\n"
    "    indented, not code ~~strike~~ __bold__ \\backslash"
)
CHINESE_ANSWER = "反向传播使用链式法则计算损失函数对每个权重的梯度。然后用梯度下降更新权重。"
ARABIC_ANSWER = "الانتشار العكسي يحسب تدرج الخسارة بالنسبة لكل وزن باستخدام قاعدة السلسلة."
LONG_ANSWER = ("Dropout randomly zeroes activations during training so units cannot co-adapt. " * 1400)[:100_000]


@dataclass(frozen=True)
class SampleSessions:
    """Ids of the sample sessions."""

    first_id: int
    second_id: int
    script_answer_id: int


def build_sample_sessions(store: SessionStore) -> SampleSessions:
    """An earlier finished session and a rich second one (finished)."""
    first = store.start_session(
        bank="deep-learning", grader="embedding", question_ids=["1.1", "2.1"], topics=["Neural Network Basics"]
    )
    answer_and_grade(
        store,
        first.id,
        "1.1",
        "Layers of neurons; weights learned by gradient descent.",
        {"layers": "covered", "weighted-sum": "missed", "learned": "covered"},
        topic="Neural Network Basics",
    )
    answer_and_grade(
        store, first.id, "2.1", "Chain rule.", {"chain-rule": "partial", "forward": "missed"}, topic="Backpropagation"
    )
    store.finish_session(first.id)

    second = store.start_session(
        bank="deep-learning",
        grader="hybrid",
        question_ids=["1.1", "2.1", "2.2", "3.1", "4.1", "4.2", "5.1"],
        topics=[],
        time_limit_seconds=300,
    )
    relu_answer = (
        "A neural network stacks layers of neurons. Each neuron computes a weighted sum of its inputs plus a bias "
        "and applies an activation. The weights are learned from data with backpropagation."
    )
    follow_up = FollowUp(text="What does the loss function measure?", kind="missed_key_point", key_point_id="loss")
    main = answer_and_grade(
        store,
        second.id,
        "1.1",
        relu_answer,
        {"layers": "covered", "weighted-sum": "covered", "learned": "partial", "loss": "missed"},
        topic="Neural Network Basics",
        evidence={
            "layers": "stacks layers of neurons",
            "weighted-sum": "computes a weighted sum of its inputs plus a bias",
            "learned": "The weights are learned",
        },
        follow_ups=[follow_up, FollowUp(text="Why do we need a bias?", kind="rubric")],
    )
    session = session_of(store, second.id)
    child = session.submit(
        make_submission(
            "1.1-loss",
            "It measures the error between the prediction and the target.",
            question_text=follow_up.text,
            topic="Neural Network Basics",
            seconds_taken=31,
            parent_answer_id=main.id,
            follow_up=follow_up,
        )
    )
    session.record_grade(
        child,
        make_grade("1.1", {"loss": "covered"}, evidence={"loss": "the error between the prediction and the target"}),
    )
    answer_and_grade(
        store,
        second.id,
        "2.1",
        CHINESE_ANSWER,
        {"chain-rule": "covered", "update": "partial"},
        topic="Backpropagation",
        evidence={"chain-rule": "链式法则", "update": "梯度下降更新权重"},
    )
    answer_and_grade(
        store,
        second.id,
        "2.2",
        ARABIC_ANSWER,
        {"chain-rule": "covered", "vanishing": "missed"},
        topic="Backpropagation",
        evidence={"chain-rule": "قاعدة السلسلة"},
        flags=[FlagCode.LLM_UNAVAILABLE],
        grader="embedding",
        feedback=None,
    )
    script = answer_and_grade(
        store,
        second.id,
        "3.1",
        SCRIPT_ANSWER,
        {"relu": "covered", "dying": "missed"},
        topic="Activation <Functions> & *Friends*",
        evidence={"relu": "*max(0, x)*"},
        feedback="Good <b>definition</b>; you missed **dying ReLU**. <script>alert(2)</script>",
        flags=[FlagCode.KEYWORD_STUFFING],
    )
    answer_and_grade(
        store,
        second.id,
        "4.1",
        LONG_ANSWER,
        {"dropout": "covered", "inference": "missed"},
        topic="Regularization",
        evidence={"dropout": "randomly zeroes activations"},
    )
    empty = session.submit(
        make_submission("4.2", "   ", question_text="What is L2 regularization?", topic="Regularization")
    )
    session.record_grade(empty, make_grade("4.2", {"penalty": "missed", "decay": "missed"}, flags=[FlagCode.EMPTY]))
    session.submit(
        make_submission("5.1", "", question_text="Compare SGD and Adam.", topic="Optimization", skipped=True)
    )
    store.finish_session(second.id)
    return SampleSessions(first.id, second.id, script.id)

"""`interviewer bank import`: Markdown question banks become valid rubric drafts with clean text."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from interviewer.bank import load_bank
from interviewer.bank.markdown_import import import_markdown_bank, write_rubric_files
from interviewer.bank.models import RubricFile
from interviewer.bank.mojibake import repair_mojibake
from interviewer.errors import BankError
from tests.bank.seed_bank import RUBRIC_FILE_NAMES, SEED, SEED_IDS, SEED_TOPICS, mojibake_in
from tests.cli_helpers import run_cli
from tests.conftest import FIXTURES

MARKDOWN = FIXTURES / "markdown"


@pytest.fixture(scope="module")
def seed_rubrics() -> list[RubricFile]:
    if not SEED.is_file():
        pytest.skip(f"seed bank not found at {SEED}")
    return import_markdown_bank(SEED, bank_name="deep-learning")


def test_seed_import_gives_18_questions_in_6_topics(seed_rubrics: list[RubricFile]) -> None:
    assert [rubric.topic for rubric in seed_rubrics] == SEED_TOPICS
    assert [question.id for rubric in seed_rubrics for question in rubric.questions] == SEED_IDS
    assert {rubric.bank for rubric in seed_rubrics} == {"deep-learning"}
    first = seed_rubrics[0].questions[0]
    assert first.question == "What is a neural network and how does it learn?"
    assert first.reference_answer.startswith("A neural network is a computational model")
    assert "**Answer:**" not in first.reference_answer
    assert not first.reference_answer.endswith("---")


def test_seed_import_repairs_all_mojibake(seed_rubrics: list[RubricFile]) -> None:
    for rubric in seed_rubrics:
        for question in rubric.questions:
            texts = [question.question, question.reference_answer]
            texts += [follow_up.question for follow_up in question.follow_up_questions()]
            texts += [key_point.text for key_point in question.key_points]
            for text in texts:
                assert mojibake_in(text) == [], (question.id, mojibake_in(text))
    answers = {question.id: question.reference_answer for rubric in seed_rubrics for question in rubric.questions}
    assert "∂L/∂W = ∂L/∂a × ∂a/∂z × ∂z/∂W" in answers["2.1"]
    assert "W = W - η × ∂L/∂W" in answers["2.1"]
    assert "left derivative (0) ≠ right derivative (1)" in answers["3.3"]
    # ftfy alone cannot fix these: the third byte of the subscript ₁ was lost in the seed.
    assert "m = β₁m + (1-β₁)g" in answers["5.1"]
    assert "m̂ = m / (1-β₁ᵗ)" in answers["5.1"]
    assert "hₜ = f(Wₕhₜ₋₁ + Wₓxₜ + b)" in answers["6.2"]
    assert "softmax(QKᵀ/√dₖ)V" in answers["6.3"]


def test_seed_import_drafts_key_points_from_lists_and_tables(seed_rubrics: list[RubricFile]) -> None:
    questions = {question.id: question for rubric in seed_rubrics for question in rubric.questions}
    steps = [key_point.text for key_point in questions["1.1"].key_points]
    assert "Forward Pass: Compute predictions from inputs" in steps
    assert "Weight Update: Adjust weights to minimize loss" in steps
    solutions = [key_point.text for key_point in questions["2.2"].key_points]
    assert "ReLU activation — How It Helps: Gradient = 1 for positive inputs" in solutions
    assert "Causes: Multiple small gradients multiply together" in solutions  # list item with its section label
    # 3.1 has a table and a list: both are represented when there are more than 8 candidates.
    activations = [key_point.text for key_point in questions["3.1"].key_points]
    assert any(text.startswith("ReLU — Formula: max(0, x)") for text in activations)
    assert "Softmax: Multi-class classification output" in activations
    for question in questions.values():
        assert 3 <= len(question.key_points) <= 8
        assert len(question.follow_ups) >= 2
        assert all(key_point.weight == 1.0 for key_point in question.key_points)
        same_topic = {other for other in questions if other.split(".")[0] == question.id.split(".")[0]}
        assert set(question.related) == same_topic - {question.id}


def test_seed_import_writes_yaml_that_loads_as_a_bank(seed_rubrics: list[RubricFile], tmp_path: Path) -> None:
    written = write_rubric_files(seed_rubrics, tmp_path / "deep-learning")
    assert [path.name for path in written] == RUBRIC_FILE_NAMES
    bank = load_bank(tmp_path / "deep-learning")
    assert len(bank.questions) == 18
    assert bank.topics() == SEED_TOPICS
    text = written[1].read_text(encoding="utf-8")
    assert "reference_answer: |" in text  # multi-line text as a literal block
    assert "∂L/∂W" in text  # UTF-8, not \u escapes
    assert mojibake_in(text) == []
    document = yaml.safe_load(text)
    assert list(document) == ["format", "bank", "topic", "questions"]
    assert list(document["questions"][0]) == [
        "id",
        "difficulty",
        "question",
        "reference_answer",
        "key_points",
        "follow_ups",
        "related",
    ]


def test_cli_import_of_the_seed_validates(tmp_path: Path) -> None:
    if not SEED.is_file():
        pytest.skip(f"seed bank not found at {SEED}")
    output = tmp_path / "imported"
    run = run_cli("bank", "import", str(SEED), "-o", str(output))
    assert run.exit_code == 0, run
    assert "18 questions in 6 topics" in run.stdout
    validated = run_cli("bank", "validate", str(output))
    assert validated.exit_code == 0, validated
    assert "18 questions in 6 topics" in validated.stdout
    assert load_bank(output).name == "imported"  # --name defaults to the output folder's name


def test_import_refuses_to_overwrite_edited_rubrics(tmp_path: Path) -> None:
    source = MARKDOWN / "no-q-numbers.md"
    output = tmp_path / "bank"
    assert run_cli("bank", "import", str(source), "-o", str(output)).exit_code == 0
    assert run_cli("bank", "import", str(source), "-o", str(output)).exit_code == 0  # same files again: fine
    edited = output / "01-evaluation.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "# my edits\n", encoding="utf-8")
    run = run_cli("bank", "import", str(source), "-o", str(output))
    assert run.exit_code == 2
    assert "01-evaluation.yaml" in run.stderr and "already exists with other content" in run.stderr
    assert edited.read_text(encoding="utf-8").endswith("# my edits\n")
    rubrics = import_markdown_bank(source, bank_name="bank")
    write_rubric_files(rubrics, output, overwrite=True)
    assert not edited.read_text(encoding="utf-8").endswith("# my edits\n")


def test_questions_without_numbers_get_topic_index_ids_and_skip_other_sections() -> None:
    rubrics = import_markdown_bank(MARKDOWN / "no-q-numbers.md", bank_name="ml")
    assert [rubric.topic for rubric in rubrics] == ["Evaluation", "Trees"]  # no Contents, no Study Tips
    questions = [question for rubric in rubrics for question in rubric.questions]
    assert [question.id for question in questions] == ["1.1", "1.2", "2.1"]
    assert questions[0].question == "What is the difference between precision and recall?"
    assert questions[0].related == ["1.2"]
    assert questions[2].related == []
    cross_validation = questions[1]
    assert cross_validation.reference_answer.startswith("It gives a more reliable estimate")  # text on the label line
    assert "Split the data into k folds" in [key_point.text for key_point in cross_validation.key_points]
    tree = [key_point.text for key_point in questions[2].key_points]
    assert "Gini impurity — Used for: Classification" in tree
    assert "The tree greedily picks the split that most reduces impurity." in tree
    assert "Study Tips" not in questions[2].reference_answer


def test_level_four_question_headings_under_level_three_topics() -> None:
    rubrics = import_markdown_bank(MARKDOWN / "h4-headings.md", bank_name="nlp")
    assert [(rubric.topic, [question.id for question in rubric.questions]) for rubric in rubrics] == [
        ("Text Representation", ["1.1", "1.2"]),  # numbers restart per topic, so ids are generated
        ("Sequence Models", ["2.1"]),
    ]
    tf_idf = rubrics[0].questions[0]
    assert tf_idf.question == "What is TF-IDF?"
    assert "word embeddings" not in tf_idf.reference_answer
    beam = [key_point.text for key_point in rubrics[1].questions[0].key_points]
    assert beam[0] == "Keep the k most likely partial sequences at each step"


def test_answers_without_an_answer_label() -> None:
    (rubric,) = import_markdown_bank(MARKDOWN / "no-answer-label.md", bank_name="stats")
    assert rubric.topic == "Probability"
    clt, p_value = rubric.questions
    assert (clt.id, p_value.id) == ("1.1", "1.2")
    assert clt.reference_answer.startswith("The mean of many independent samples")
    assert not clt.reference_answer.rstrip().endswith("---")
    assert "<details>" not in p_value.reference_answer and "<summary>" not in p_value.reference_answer
    assert p_value.reference_answer.startswith("- The probability of data at least this extreme")
    assert len(p_value.key_points) == 3


def test_numbered_heading_styles_and_difficulty_tags(tmp_path: Path) -> None:
    answer = "\n\n- First point here\n- Second point here\n- Third point here\n\n"
    headings = ["### Q1.1 What is A?", "### Question 1.2: Explain B.", "### 1.3) Why C? (hard)"]
    source = tmp_path / "styles.md"
    source.write_text("## Topic\n\n" + answer.join(headings) + answer, encoding="utf-8")
    (rubric,) = import_markdown_bank(source, bank_name="styles")
    assert [(question.id, question.question, question.difficulty) for question in rubric.questions] == [
        ("1.1", "What is A?", "medium"),
        ("1.2", "Explain B.", "medium"),
        ("1.3", "Why C?", "hard"),
    ]


def test_variations_write_valid_banks(tmp_path: Path) -> None:
    for fixture in ("no-q-numbers.md", "h4-headings.md", "no-answer-label.md"):
        output = tmp_path / fixture.removesuffix(".md")
        write_rubric_files(import_markdown_bank(MARKDOWN / fixture, bank_name=output.name), output)
        assert load_bank(output).name == output.name


def test_mojibake_fixture_imports_as_the_clean_text() -> None:
    """The fixture is clean text encoded as UTF-8, decoded as cp1252, with the bytes cp1252 lacks dropped."""
    (rubric,) = import_markdown_bank(MARKDOWN / "mojibake.md", bank_name="optimizers")
    adam, rnn = rubric.questions
    assert adam.reference_answer.splitlines() == [
        "- Keeps a moving average of gradients: m = β₁m + (1-β₁)g",
        "- Keeps a moving average of squared gradients: v = β₂v + (1-β₂)g²",
        "- Corrects the bias: m̂ = m / (1-β₁ᵗ)",
        "- Steps by w = w - η × m̂ / (√v̂ + ε)",
    ]
    assert rnn.reference_answer.splitlines() == [
        "- The state is hₜ = f(Wₕhₜ₋₁ + Wₓxₜ + b), so the chain rule multiplies ∂hₜ/∂hₜ₋₁ at every step",
        "- When those factors are ≈ 0.5 the gradient shrinks → learning stalls",
        "- Gates keep the “highway” open, so the gradient ≠ 0",
    ]
    assert rnn.question == "Why does a recurrent network's gradient vanish?"


def test_repair_mojibake_restores_lost_bytes_and_leaves_clean_text_alone() -> None:
    assert repair_mojibake("Î²â‚ and Î²â‚‚") == "β₁ and β₂"
    assert repair_mojibake("hâ‚œâ‚‹â‚ + b") == "hₜ₋₁ + b"
    assert repair_mojibake("edges â†’ shapes") == "edges → shapes"
    clean = "β₁, ∂L/∂W, naïve café, “quoted”"
    assert repair_mojibake(clean) == clean


@pytest.mark.parametrize(
    ("file_name", "content", "expected"),
    [
        ("no-questions.md", None, "no questions found"),  # a fixture: headings and notes, no questions
        ("image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("latin1.md", "## Été\n### Qu'est-ce que c'est?\n".encode("latin-1"), "not UTF-8"),
        ("missing.md", None, "cannot read file"),
        ("short.md", b"## Topic\n\n### What is X?\n\nX is a thing.\n", "need 3"),
    ],
)
def test_bad_markdown_exits_2_with_one_line_naming_the_file(
    file_name: str, content: bytes | None, expected: str, tmp_path: Path
) -> None:
    source = MARKDOWN / file_name if (MARKDOWN / file_name).exists() else tmp_path / file_name
    if content is not None:
        source.write_bytes(content)
    output = tmp_path / "out"
    run = run_cli("bank", "import", str(source), "-o", str(output))
    assert run.exit_code == 2, run
    assert run.exception is None
    assert "Traceback" not in run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, run.stderr
    assert str(source) in lines[0] and expected in lines[0], lines[0]
    assert not output.exists()
    with pytest.raises(BankError) as caught:
        import_markdown_bank(source, bank_name="x")
    assert caught.value.path == source


def test_question_without_answer_names_its_line(tmp_path: Path) -> None:
    source = tmp_path / "bank.md"
    source.write_bytes(b"# Bank\n\n## Topic\n\n### What is X?\n\n### What is Y?\n\n- a\n- b\n- c\n")
    with pytest.raises(BankError) as caught:
        import_markdown_bank(source, bank_name="x")
    assert caught.value.line == 5
    assert "'What is X?' has no answer" in str(caught.value)

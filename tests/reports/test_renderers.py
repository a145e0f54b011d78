"""Markdown and HTML renderings: content, escaping (no injection), non-Latin text, long answers."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from markdown_it import MarkdownIt

from interviewer.reports import build_report, render_html, render_markdown
from interviewer.reports.html import answer_segments
from interviewer.reports.markdown import escape_markdown, quote_block
from interviewer.store import SessionStore
from tests.reports.sample import ARABIC_ANSWER, CHINESE_ANSWER, SCRIPT_ANSWER, SampleSessions
from tests.store.factories import make_submission


class _TagCollector(HTMLParser):
    """Tags, attributes and text of an HTML document, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _TagCollector:
    collector = _TagCollector()
    collector.feed(html)
    return collector


def _markdown_to_html(text: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough").render(text)


def test_markdown_escapes_everything_from_the_answer(store: SessionStore, sample: SampleSessions) -> None:
    markdown = render_markdown(build_report(store, sample.second_id))
    html = _markdown_to_html(markdown)  # a Git host's view, with raw HTML allowed
    parsed = _parse(html)
    tag_names = {tag for tag, _ in parsed.tags}
    assert "script" not in tag_names and "img" not in tag_names and "b" not in tag_names
    assert "del" not in tag_names and "a" not in tag_names
    headings = [tag for tag in tag_names if re.fullmatch(r"h\d", tag)]
    assert sorted(headings) == ["h1", "h2", "h3", "h4"]  # no heading from "# not a heading"
    text = "".join(parsed.text)
    assert "<script>alert('pwned')</script>" in text  # shown literally
    assert "*max(0, x)*" in text and "`1`" in text and "~~strike~~" in text and "\\backslash" in text
    assert "- not a list" in text and "1. not numbered" in text
    assert "Activation <Functions> & *Friends*" in text
    # Every line of the answer is still there, in order.
    for line in SCRIPT_ANSWER.splitlines():
        assert line.strip() in text


def test_markdown_sections_and_marks(store: SessionStore, sample: SampleSessions) -> None:
    markdown = render_markdown(build_report(store, sample.second_id))
    assert "**Overall score: 4.1/10**" in markdown
    assert "| Backpropagation | 6.2/10 | 2 |" in markdown
    assert "## Score over sessions" in markdown and "## Weakest key points" in markdown
    assert "- ✓ covered:" in markdown and "- ~ partial:" in markdown and "- ✗ missed:" in markdown
    assert "evidence: “stacks layers of neurons”" in markdown
    assert "#### Follow-up: What does the loss function measure?" in markdown
    assert "_Skipped._" in markdown and "_(empty answer)_" in markdown
    assert "| Flags | " in markdown and "LLM unavailable: 1" in markdown  # header in plain words
    assert "(`llm_unavailable`)" in markdown  # each flag keeps its code
    assert CHINESE_ANSWER in markdown and ARABIC_ANSWER in markdown
    assert "Dropout randomly zeroes activations" in markdown and len(markdown) > 100_000


def test_markdown_escape_helpers() -> None:
    assert escape_markdown("a|b *c* <d>\nnext") == "a\\|b \\*c\\* \\<d\\> next"
    assert quote_block("# h\n\n  - item\n2) two") == "> \\# h  \n>\n> \u00a0\u00a0\\- item  \n> 2\\) two"


def test_html_escapes_answers_and_runs_no_script(store: SessionStore, sample: SampleSessions) -> None:
    html = render_html(build_report(store, sample.second_id))
    parsed = _parse(html)
    tag_names = [tag for tag, _ in parsed.tags]
    assert "script" not in tag_names and "img" not in tag_names and "b" not in tag_names
    assert not any(name.startswith("on") for _, attrs in parsed.tags for name in attrs)
    text = "".join(parsed.text)
    assert "<script>alert('pwned')</script>" in text and "<img src=x onerror=alert(1)>" in text
    assert "Good <b>definition</b>; you missed **dying ReLU**. <script>alert(2)</script>" in text
    assert "Activation <Functions> & *Friends*" in text


def test_html_is_self_contained(store: SessionStore, sample: SampleSessions) -> None:
    html = render_html(build_report(store, sample.second_id))
    parsed = _parse(html)
    for tag, attrs in parsed.tags:
        assert tag not in ("link", "script", "iframe", "img"), tag
        for name in ("src", "href"):
            assert name not in attrs, (tag, attrs)
    assert "@import" not in html and "url(" not in html
    assert "@media print" in html
    assert html.count("<svg") == 2


def test_html_highlights_evidence_and_shows_non_latin_text(store: SessionStore, sample: SampleSessions) -> None:
    html = render_html(build_report(store, sample.second_id))
    assert '<mark class="covered" title="key point 1" data-kp="1">stacks layers of neurons</mark>' in html
    assert '<mark class="partial" title="key point 3" data-kp="3">The weights are learned</mark>' in html
    assert '<mark class="covered" title="key point 1" data-kp="1">链式法则</mark>' in html
    assert '<mark class="covered" title="key point 1" data-kp="1">قاعدة السلسلة</mark>' in html
    assert '<mark class="covered" title="key point 1" data-kp="1">*max(0, x)*</mark>' in html
    assert "skipped" in html and "(empty answer)" in html and "Follow-up: What does the loss function measure?" in html
    assert "⚠" in html and "llm_unavailable" in html


def test_answer_segments_cover_the_text_once_with_overlaps(store: SessionStore, sample: SampleSessions) -> None:
    report = build_report(store, sample.second_id)
    for question in report.questions:
        segments = answer_segments(question)
        assert "".join(segment.text for segment in segments) == question.answer
    answer = report.questions[0].model_copy(deep=True)
    answer.key_points[2].evidence_start, answer.key_points[2].evidence_end = 2, 30  # overlaps key point 1
    segments = answer_segments(answer)
    assert [(segment.key_point_numbers, segment.ending_numbers) for segment in segments if segment.verdict][:3] == [
        ((3,), ()),
        ((1, 3), (3,)),
        ((1,), (1,)),
    ]  # each number is shown once, where its evidence ends


def test_an_answer_waiting_for_its_grade(store: SessionStore) -> None:
    session = store.start_session(bank="b", grader="llm", question_ids=["1", "2"], topics=[])
    store.record_answer(session.id, make_submission("1", "Cheap & sparse.", question_text="Why ReLU?"))
    report = build_report(store, session.id)
    assert report.session.ungraded == 1 and report.overall_score is None and report.topics[0].mean_score is None
    markdown = render_markdown(report)
    assert "_Not graded._" in markdown and "Cheap \\& sparse." in markdown and "**Overall score: —**" in markdown
    html = render_html(report)
    assert "Not graded." in html and "Cheap &amp; sparse." in html


def test_flags_are_named_in_plain_words(store: SessionStore, sample: SampleSessions) -> None:
    report = build_report(store, sample.second_id)
    for rendered in (render_markdown(report), render_html(report)):
        assert "keyword stuffing: 1" in rendered and "LLM unavailable: 1" in rendered
        assert "keyword_stuffing: 1" not in rendered


def test_every_flag_code_has_a_label() -> None:
    from interviewer.grading.result import FlagCode
    from interviewer.reports.formatting import FLAG_LABELS

    assert {code.value for code in FlagCode} <= set(FLAG_LABELS)


def test_counts_agree_in_number(store: SessionStore, sample: SampleSessions) -> None:
    report = build_report(store, sample.second_id)
    one = report.model_copy(
        update={"session": report.session.model_copy(update={"follow_ups_answered": 1, "ungraded": 1})}
    )
    markdown = render_markdown(one)
    assert "; 1 follow-up |" in markdown and "| Not graded | 1 answer |" in markdown
    html = render_html(one)
    assert "· 1 follow-up<" in html and ">1 answer<" in html

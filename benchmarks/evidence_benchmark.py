"""How well the grader's quotes stand for their key points, on the correct answers of the answer sets.

For every credited (covered or partial) key point of a terse, enumeration or paraphrase answer
(`benchmarks/answer_sets/*.jsonl`) the quote is compared with the key point's written right statements
(`interviewer/grading/judge/known_statements.json`: paraphrases in other words than the key point's text,
which the grader's ranking of candidate spans does not read), as a stand-in for a reader's judgement:

- fit: the quote's cosine with the closest right statement (mean);
- near best: the share of quotes within 0.05 of the answer's best sentence by that cosine;
- shared: the share of quotes that stand for two or more key points of the same answer.

Sentence vectors of the packaged model (plain `embed`, not the grader's pooling). Scores are not read.

    python benchmarks/evidence_benchmark.py [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from interviewer.bank import load_bank  # noqa: E402
from interviewer.grading.known_statements import load_known_statements  # noqa: E402
from interviewer.grading.text import sentences  # noqa: E402

SETS = sorted((ROOT / "benchmarks" / "answer_sets").glob("*.jsonl"))
CORRECT_KINDS = ("terse", "enumeration", "paraphrase")
NEAR = 0.05


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from interviewer.grading.embedding import load_embedder
    from interviewer.grading.embedding_grader import EmbeddingGrader
    from interviewer.grading.judge import load_judge

    bank = load_bank()
    embedder = load_embedder()
    grader = EmbeddingGrader(embedder, bank=bank, judge=load_judge(embedder))
    known = load_known_statements()
    rows = [json.loads(line) for path in SETS for line in path.read_text().splitlines() if line]
    rows = [row for row in rows if row["kind"] in CORRECT_KINDS and row["question_id"] in bank]
    questions = [bank.get(row["question_id"]) for row in rows]
    results = grader.grade_batch([(question, row["answer"]) for question, row in zip(questions, rows, strict=True)])
    fits, near, shared, total = [], 0, 0, 0
    for question, row, result in zip(questions, rows, results, strict=True):
        statements = known.for_question(question)
        answer_sentences = sentences(row["answer"]) or [row["answer"]]
        sentence_vectors = embedder.embed_batch(answer_sentences)
        quotes = Counter()
        for verdict, written in zip(result.key_points, statements, strict=True):
            if verdict.verdict not in ("covered", "partial") or not verdict.evidence or written is None:
                continue
            right = embedder.embed_batch(list(written.right))
            fit = float((right @ embedder.embed_batch([verdict.evidence])[0]).max())
            best = float((right @ sentence_vectors.T).max())
            fits.append(fit)
            near += fit >= best - NEAR
            total += 1
            quotes[verdict.evidence] += 1
        shared += sum(count for count in quotes.values() if count > 1)
    report = {
        "quotes": total,
        "fit": round(float(np.mean(fits)), 3),
        "near_best": round(near / total, 3),
        "shared": round(shared / total, 3),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"credited quotes of correct answers: {total}")
    print(f"fit (cosine with the closest written right statement): {report['fit']}")
    print(f"within {NEAR} of the answer's best sentence: {report['near_best']:.1%}")
    print(f"standing for two or more key points of one answer: {report['shared']:.1%}")


if __name__ == "__main__":
    main()

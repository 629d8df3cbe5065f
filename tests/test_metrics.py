"""Tests for vaecourse.metrics: the shipped classifier, the Fréchet distance, confidence and
active units."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from vaecourse import metrics
from vaecourse.data import load_fashion_mnist

N = 2000


@pytest.fixture(scope="module")
def ds(fashion_data_root):
    return load_fashion_mnist(data_dir=fashion_data_root)


@pytest.fixture(scope="module")
def test_x(ds):
    return ds.test.images[:N]


@pytest.fixture(scope="module")
def fd_test_train(ds, test_x):
    return metrics.frechet_distance(test_x, ds.train.images[:N])


# --------------------------------------------------------------------------------------------
# The weights file
# --------------------------------------------------------------------------------------------


def test_checksum_constant_matches_shipped_file():
    digest = hashlib.sha256(metrics.WEIGHTS_PATH.read_bytes()).hexdigest()
    assert digest == metrics.WEIGHTS_SHA256, (
        "vaecourse/weights/fashion_classifier.npz changed: retrained? update WEIGHTS_SHA256"
    )


def test_weights_file_is_small_plain_float32_npz():
    path = metrics.WEIGHTS_PATH
    assert path.stat().st_size < 1_000_000
    with zipfile.ZipFile(path) as zf:  # uncompressed .npy members only
        infos = zf.infolist()
        assert {i.filename for i in infos} == {k + ".npy" for k in metrics.WEIGHT_SHAPES}
        assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
    with np.load(path, allow_pickle=False) as npz:  # no object arrays
        for name, shape in metrics.WEIGHT_SHAPES.items():
            assert npz[name].dtype == np.float32 and npz[name].shape == shape, name


def test_tampered_weights_raise(tmp_path, monkeypatch):
    tampered = tmp_path / "fashion_classifier.npz"
    shutil.copyfile(metrics.WEIGHTS_PATH, tampered)
    data = bytearray(tampered.read_bytes())
    data[len(data) // 2] ^= 0xFF  # flip one weight byte; the zip structure stays valid
    tampered.write_bytes(bytes(data))
    monkeypatch.setattr(metrics, "WEIGHTS_PATH", tampered)
    with pytest.raises(RuntimeError, match="SHA-256") as info:
        metrics.predict_proba(np.zeros((2, 28, 28), np.float32))
    assert str(tampered) in str(info.value) and "einstall" in str(info.value)


def test_missing_weights_raise(tmp_path, monkeypatch):
    monkeypatch.setattr(metrics, "WEIGHTS_PATH", tmp_path / "nothing.npz")
    with pytest.raises(RuntimeError, match="missing"):
        metrics.classifier_features(np.zeros((2, 28, 28), np.float32))


def test_weights_are_loaded_once():
    assert metrics._load_weights() is metrics._load_weights()


# --------------------------------------------------------------------------------------------
# The classifier
# --------------------------------------------------------------------------------------------


def test_numpy_forward_matches_torch(ds):
    torch = pytest.importorskip("torch")
    nn = torch.nn

    class Net(nn.Module):  # rebuilt here from the architecture, independently of the script
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
            self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
            self.fc1 = nn.Linear(32 * 7 * 7, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = nn.functional.max_pool2d(torch.relu(self.conv1(x)), 2)
            x = nn.functional.max_pool2d(torch.relu(self.conv2(x)), 2)
            features = torch.relu(self.fc1(torch.flatten(x, 1)))
            return features, self.fc2(features)

    net = Net()
    with np.load(metrics.WEIGHTS_PATH) as npz:
        state = {name.replace("_", "."): torch.from_numpy(npz[name]) for name in npz.files}
    net.load_state_dict(state)
    x = ds.test.images[:64]
    with torch.no_grad():
        t_features, t_logits = net(torch.from_numpy(x).unsqueeze(1))
    features = metrics.classifier_features(x)
    np.testing.assert_allclose(features, t_features.numpy(), rtol=0, atol=1e-4)
    proba = metrics.predict_proba(x)
    np.testing.assert_allclose(proba, torch.softmax(t_logits, 1).numpy(), rtol=0, atol=1e-5)
    _, logits = metrics._forward(metrics._load_weights(), metrics._check_images(x))
    np.testing.assert_allclose(logits, t_logits.numpy(), rtol=0, atol=1e-4)


def test_output_shapes_and_dtypes(test_x):
    x = test_x[:10]
    f = metrics.classifier_features(x)
    p = metrics.predict_proba(x)
    assert f.shape == (10, 128) and f.dtype == np.float64 and (f >= 0).all()
    assert p.shape == (10, 10) and p.dtype == np.float64
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-9)


def test_accepted_image_layouts_agree(test_x):
    x = test_x[:8]
    ref = metrics.classifier_features(x)
    for variant in (x.reshape(8, 784), x[..., None], x[:, None], x.astype(np.float64)):
        np.testing.assert_allclose(metrics.classifier_features(variant), ref, atol=1e-6)


def test_accepts_torch_tensors(test_x):
    torch = pytest.importorskip("torch")
    x = test_x[:4]
    t = torch.from_numpy(x).requires_grad_(True)
    np.testing.assert_allclose(
        metrics.classifier_features(t), metrics.classifier_features(x), atol=1e-6
    )


def test_classifier_accuracy(ds):
    proba = metrics.predict_proba(ds.test.images[:N])
    accuracy = (proba.argmax(axis=1) == ds.test.labels[:N]).mean()
    assert accuracy >= 0.88, f"accuracy {accuracy:.3f} on the first {N} test images"


# --------------------------------------------------------------------------------------------
# Fréchet distance
# --------------------------------------------------------------------------------------------


def test_frechet_distance_of_a_set_with_itself_is_zero(test_x):
    assert abs(metrics.frechet_distance(test_x[:1000], test_x[:1000])) < 1e-6


def test_frechet_distance_is_symmetric(ds, test_x):
    a, b = test_x[:500], ds.train.images[:500]
    d_ab = metrics.frechet_distance(a, b)
    d_ba = metrics.frechet_distance(b, a)
    assert d_ab > 0
    assert d_ab == pytest.approx(d_ba, rel=1e-6)


def test_frechet_from_features_matches_scipy_sqrtm():
    linalg = pytest.importorskip("scipy.linalg")
    rng = np.random.default_rng(1)
    fa = rng.normal(size=(400, 16)) @ rng.normal(size=(16, 16))
    fb = rng.normal(size=(300, 16)) @ rng.normal(size=(16, 16)) + 0.5
    mu_a, mu_b = fa.mean(0), fb.mean(0)
    ca, cb = np.cov(fa, rowvar=False), np.cov(fb, rowvar=False)
    covmean = linalg.sqrtm(ca @ cb).real
    expected = np.sum((mu_a - mu_b) ** 2) + np.trace(ca + cb - 2 * covmean)
    assert metrics.frechet_from_features(fa, fb) == pytest.approx(expected, rel=1e-8)
    # Singular covariances (fewer examples than features) stay finite and non-negative.
    assert 0 <= metrics.frechet_from_features(fa[:5], fb[:3]) < np.inf


def test_frechet_distance_test_vs_train_is_small(fd_test_train):
    assert 0 < fd_test_train < 10, fd_test_train


def test_frechet_distance_flags_noise_blur_and_shuffled_pixels(test_x, fd_test_train):
    rng = np.random.default_rng(0)
    noise = rng.random(test_x.shape, dtype=np.float32)
    # 5x5 box blur (edge padding): a cheap stand-in for blurry VAE samples
    padded = np.pad(test_x, ((0, 0), (2, 2), (2, 2)), mode="edge")
    blurred = sum(padded[:, i : i + 28, j : j + 28] for i in range(5) for j in range(5)) / 25
    shuffled = test_x.reshape(N, 784)[:, rng.permutation(784)].reshape(N, 28, 28)
    for name, other in (("noise", noise), ("blurred", blurred), ("shuffled", shuffled)):
        fd = metrics.frechet_distance(test_x, other)
        assert fd > 20 * fd_test_train, f"{name}: {fd:.2f} vs test-train {fd_test_train:.2f}"


def test_frechet_distance_needs_two_images_per_set(test_x):
    with pytest.raises(ValueError, match="at least 2"):
        metrics.frechet_distance(test_x[:1], test_x[:10])
    with pytest.raises(ValueError, match="at least 2"):
        metrics.frechet_distance(test_x[:10], test_x[:1])
    with pytest.raises(ValueError, match="at least 2"):
        metrics.sample_quality(test_x[:1], test_x[:10])


# --------------------------------------------------------------------------------------------
# Confidence and sample_quality
# --------------------------------------------------------------------------------------------


def test_classifier_confidence(test_x):
    real = metrics.classifier_confidence(test_x)
    assert real > 0.8
    noise = np.random.default_rng(0).random(test_x.shape, dtype=np.float32)
    # The classifier is overconfident on noise (about 0.91 vs 0.92); the docstring warns of this.
    assert metrics.classifier_confidence(noise) < real
    assert metrics.classifier_confidence(0.5 * noise) < real - 0.1  # dim noise
    padded = np.pad(test_x, ((0, 0), (2, 2), (2, 2)), mode="edge")
    blurred = sum(padded[:, i : i + 28, j : j + 28] for i in range(5) for j in range(5)) / 25
    assert metrics.classifier_confidence(blurred) < real - 0.1


def test_sample_quality_combines_both_scores(ds, test_x):
    samples = ds.train.images[:500]
    reference = test_x[:500]
    result = metrics.sample_quality(samples, reference)
    assert set(result) == {"frechet_distance", "confidence"}
    assert result["frechet_distance"] == pytest.approx(
        metrics.frechet_distance(samples, reference), rel=1e-9
    )
    assert result["confidence"] == pytest.approx(metrics.classifier_confidence(samples), rel=1e-9)
    assert all(isinstance(v, float) for v in result.values())


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape", [(28, 28), (5, 28), (5, 28, 28, 3), (5, 3, 28, 28), (5, 785), (0, 28, 28), (5, 32, 32)]
)
def test_bad_image_shapes_raise(shape):
    with pytest.raises(ValueError, match="shape|empty"):
        metrics.classifier_features(np.zeros(shape, np.float32))


def test_single_image_hint():
    with pytest.raises(ValueError, match="batch axis"):
        metrics.predict_proba(np.zeros((28, 28), np.float32))


def test_0_to_255_images_raise(ds):
    raw = (ds.test.images[:10] * 255).round().astype(np.uint8)
    for bad in (raw, raw.astype(np.float32)):
        with pytest.raises(ValueError, match="divide by 255"):
            metrics.classifier_confidence(bad)
        with pytest.raises(ValueError, match="divide by 255"):
            metrics.frechet_distance(bad, ds.test.images[:10])


def test_out_of_range_and_nan_raise():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        metrics.predict_proba(np.full((3, 28, 28), -2.0, np.float32))
    with pytest.raises(ValueError, match="NaN"):
        metrics.predict_proba(np.full((3, 28, 28), np.nan, np.float32))


# --------------------------------------------------------------------------------------------
# Active units
# --------------------------------------------------------------------------------------------


def _z_means(n=5000):
    rng = np.random.default_rng(0)
    std = np.array([1.0, 1.0, 1.0, 1e-2, 1e-2])  # variances 1, 1, 1, 1e-4, 1e-4
    return rng.normal(size=(n, 5)) * std + np.array([0.0, 3.0, -1.0, 2.0, 0.5])


def test_active_units_counts_high_variance_dimensions():
    z = _z_means()
    assert metrics.active_units(z) == 3
    assert metrics.active_units(z, threshold=0.01) == 3
    assert isinstance(metrics.active_units(z), int)


def test_active_units_respects_threshold():
    z = _z_means()
    assert metrics.active_units(z, threshold=2.0) == 0
    assert metrics.active_units(z, threshold=1e-5) == 5
    v = np.var(z, axis=0)
    assert metrics.active_units(z, threshold=float(v[0])) == int((v > v[0]).sum())  # strict >


def test_active_units_validates_input():
    for bad in (np.zeros(10), np.zeros((4, 3, 2))):
        with pytest.raises(ValueError, match="2-D"):
            metrics.active_units(bad)
    with pytest.raises(ValueError, match="at least 2"):
        metrics.active_units(np.zeros((1, 4)))


# --------------------------------------------------------------------------------------------
# No framework imports
# --------------------------------------------------------------------------------------------


def test_import_does_not_load_frameworks():
    code = (
        "import sys, vaecourse.metrics\n"
        "loaded = [m for m in ('torch', 'tensorflow', 'keras', 'jax') if m in sys.modules]\n"
        "print(','.join(loaded))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"importing vaecourse.metrics loaded: {out.stdout.strip()}"

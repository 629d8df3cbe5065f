"""The reference code of both frameworks, tested once through tests/frameworks.py adapters.

Losses are compared with NumPy formulas written here, not with each other."""

from __future__ import annotations

import math

import numpy as np
import pytest
from frameworks import ADAPTERS


@pytest.fixture(scope="module", params=sorted(ADAPTERS))
def fw(request):
    return ADAPTERS[request.param]()


def rng():
    return np.random.default_rng(0)


# --- KL divergence -------------------------------------------------------------------------


def test_kl_is_zero_at_the_prior(fw):
    kl = fw.kl(np.zeros((3, 10)), np.zeros((3, 10)))
    assert kl.shape == (3,), f"KL must be per example with shape (N,), got {kl.shape}"
    np.testing.assert_allclose(kl, 0.0, atol=1e-7, err_msg="KL(N(0,1) || N(0,1)) must be 0")


def test_kl_exact_values(fw):
    kl_mean = fw.kl(np.array([[2.0]]), np.array([[0.0]]))[0]
    assert kl_mean == pytest.approx(2.0, abs=1e-6), (
        f"mu=2, gamma=0 should give mu^2/2 = 2, got {kl_mean}: check the 0.5 and the mu^2 term"
    )
    kl_var = fw.kl(np.array([[0.0]]), np.array([[2.0]]))[0]
    expected = (math.exp(2) - 3) / 2
    assert kl_var == pytest.approx(expected, rel=1e-6), (
        f"mu=0, gamma=2 should give (e^2 - 3)/2 = {expected:.6f}, got {kl_var}: "
        "is gamma a log-variance (sigma = exp(gamma/2))?"
    )


def test_kl_sums_over_dimensions_and_matches_numpy(fw):
    mu, gamma = rng().normal(size=(5, 7)), rng().normal(size=(5, 7))
    expected = 0.5 * (mu**2 + np.exp(gamma) - 1 - gamma).sum(axis=1)
    np.testing.assert_allclose(fw.kl(mu, gamma), expected, rtol=1e-5)


def test_kl_std_form_agrees_with_log_variance_form(fw):
    mu, gamma = rng().normal(size=(4, 6)), rng().normal(size=(4, 6))
    np.testing.assert_allclose(fw.kl_std(mu, np.exp(gamma / 2)), fw.kl(mu, gamma), rtol=1e-5)


def test_kl_std_form_is_finite_for_tiny_sigma(fw):
    """sigma = 1e-30: sigma**2 underflows to 0 in float32, so log(sigma**2) would be -inf; the
    form 2 * log(sigma) stays finite: KL = 0.5 * (sigma^2 + mu^2 - 1) - log(sigma)."""
    kl = fw.kl_std(np.array([[0.5]]), np.array([[1e-30]]))
    expected = 0.5 * (0.25 - 1) - math.log(1e-30)
    assert np.isfinite(kl[0]), f"KL for sigma = 1e-30 is {kl[0]}: is log(sigma**2) underflowing?"
    assert kl[0] == pytest.approx(expected, rel=1e-5)


def test_kl_agrees_with_monte_carlo(fw):
    """E_q[log q(z) - log p(z)] estimated with 200,000 draws of the framework's own sampler."""
    mu, gamma = np.array([[0.5, -1.0, 0.0]]), np.array([[0.3, -0.7, 1.2]])
    n = 200_000
    z = fw.sample(np.repeat(mu, n, 0), np.repeat(gamma, n, 0), seed=1).astype(np.float64)
    sigma = np.exp(gamma / 2)
    log_q = -0.5 * (((z - mu) / sigma) ** 2 + np.log(2 * np.pi) + gamma)
    log_p = -0.5 * (z**2 + np.log(2 * np.pi))
    estimate = (log_q - log_p).sum(axis=1)
    stderr = estimate.std() / math.sqrt(n)
    assert abs(estimate.mean() - fw.kl(mu, gamma)[0]) < 4 * stderr + 1e-4


@pytest.mark.parametrize("gamma", [-30.0, -10.0, 0.0, 10.0, 30.0])
def test_no_nan_or_inf_for_extreme_log_variance(fw, gamma):
    mu = np.array([[0.0, 3.0]])
    g = np.full((1, 2), gamma)
    kl = fw.kl(mu, g)
    z = fw.sample(mu, g, seed=0)
    grads = fw.sample_gradients(mu, g)
    for name, value in [("KL", kl), ("codings", z), ("d/dmu", grads[0]), ("d/dgamma", grads[1])]:
        assert np.all(np.isfinite(value)), f"{name} is not finite for gamma={gamma}: {value}"
    assert np.all(kl >= 0), "KL is negative: check the sign"


# --- sampling -------------------------------------------------------------------------------


def test_same_seed_same_sample_and_other_seed_other_sample(fw):
    mu, gamma = rng().normal(size=(8, 4)), rng().normal(size=(8, 4))
    a, b, c = fw.sample(mu, gamma, seed=7), fw.sample(mu, gamma, seed=7), fw.sample(mu, gamma, 8)
    np.testing.assert_array_equal(a, b, err_msg="the same seed must give the same codings")
    assert not np.allclose(a, c), "different seeds gave the same codings"


def test_sample_moments_use_exp_half_gamma(fw):
    n = 100_000
    z = fw.sample(np.full((n, 2), [1.0, -2.0]), np.full((n, 2), [0.0, 2.0]), seed=3)
    np.testing.assert_allclose(z.mean(axis=0), [1.0, -2.0], atol=0.03)
    np.testing.assert_allclose(
        z.std(axis=0), [1.0, math.e], rtol=0.02, err_msg="sigma must be exp(gamma / 2)"
    )


def test_each_example_gets_its_own_noise(fw):
    z = fw.sample(np.zeros((64, 3)), np.zeros((64, 3)), seed=0)
    assert len(np.unique(z[:, 0])) == 64, "noise is shared across the batch"


def test_gradients_reach_both_inputs(fw):
    mu, gamma = rng().normal(size=(4, 3)), rng().normal(size=(4, 3))
    d_mu, d_gamma = fw.sample_gradients(mu, gamma, seed=5)
    np.testing.assert_allclose(d_mu, 1.0, err_msg="dz/dmu must be 1")
    eps = (fw.sample(mu, gamma, seed=5) - mu) / np.exp(gamma / 2)
    np.testing.assert_allclose(
        d_gamma,
        0.5 * np.exp(gamma / 2) * eps,
        rtol=1e-4,
        atol=1e-6,
        err_msg="dz/dgamma must be 0.5 * sigma * eps",
    )


# --- reconstruction losses and the VAE loss ---------------------------------------------------


def _numpy_bce(x, logits):
    p = 1 / (1 + np.exp(-logits))
    return -(x * np.log(p) + (1 - x) * np.log1p(-p)).reshape(len(x), -1).sum(axis=1)


def test_reconstruction_losses_sum_over_pixels(fw):
    x = rng().random((3, 28, 28))
    logits = rng().normal(size=(3, 28, 28))
    np.testing.assert_allclose(fw.bce(x, logits), _numpy_bce(x, logits), rtol=1e-5)
    x_hat = rng().random((3, 28, 28))
    np.testing.assert_allclose(fw.mse(x, x_hat), ((x - x_hat) ** 2).sum(axis=(1, 2)), rtol=1e-5)


def test_bce_is_stable_for_huge_logits(fw):
    x = np.array([[1.0, 0.0, 1.0, 0.0]])
    logits = np.array([[200.0, -200.0, -200.0, 200.0]])
    bce = fw.bce(x, logits)
    assert np.isfinite(bce).all()
    np.testing.assert_allclose(bce, [400.0], rtol=1e-6)


def test_vae_loss_is_batch_mean_of_bce_plus_beta_kl(fw):
    x = rng().random((6, 28, 28)).round()
    logits, mu, gamma = (
        rng().normal(size=(6, 28, 28)),
        rng().normal(size=(6, 4)),
        rng().normal(size=(6, 4)),
    )
    kl = 0.5 * (mu**2 + np.exp(gamma) - 1 - gamma).sum(axis=1)
    for beta in (0.0, 1.0, 4.0):
        expected = (_numpy_bce(x, logits) + beta * kl).mean()
        assert fw.vae_loss(x, logits, mu, gamma, beta) == pytest.approx(expected, rel=1e-5), (
            f"beta={beta}"
        )


# --- models and training ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["dense_vae", "conv_vae"])
def test_model_shapes(fw, kind):
    model = getattr(fw, kind)()
    x = rng().random((5, 28, 28)).astype(np.float32)
    z_mean, z_log_var = fw.encode(model, x)
    assert z_mean.shape == z_log_var.shape == (5, 10)
    images = fw.decode(model, z_mean)
    assert images.shape == (5, 28, 28)
    assert images.min() >= 0 and images.max() <= 1


def test_short_training_on_real_data_lowers_the_loss(fw, fashion_small):
    model = fw.dense_vae()
    before = fw.evaluate_elbo(model, fashion_small.valid.images)["neg_elbo"]
    history = fw.fit(
        model,
        fashion_small.train.images,
        epochs=2,
        batch_size=64,
        x_valid=fashion_small.valid.images,
    )
    after = fw.evaluate_elbo(model, fashion_small.valid.images)
    assert set(history) >= {"loss", "reconstruction", "kl", "val_loss"}
    assert len(history["loss"]) == 2
    assert history["loss"][1] < history["loss"][0]
    assert after["neg_elbo"] < before - 100, (before, after)
    assert after["neg_elbo"] == pytest.approx(after["reconstruction"] + after["kl"])


@pytest.mark.parametrize("how", ["given to fit", "the model's own"])
def test_fit_trains_with_the_beta_it_is_given(fw, fashion_small, how):
    """fit(..., beta=4) trains on reconstruction + 4 * KL; so does a Keras model built with
    beta=4 and fitted without one (PyTorch models carry no beta: fit's default, 1, applies)."""
    x = fashion_small.train.images[:512]
    if how == "given to fit":
        history = fw.fit(fw.dense_vae(), x, epochs=1, batch_size=128, beta=4.0)
        beta = 4.0
    else:
        model = fw.dense_vae(beta=4.0) if fw.name == "keras" else fw.dense_vae()
        history = fw.fit(model, x, epochs=1, batch_size=128)
        beta = 4.0 if fw.name == "keras" else 1.0
    loss, reconstruction, kl = (history[k][0] for k in ("loss", "reconstruction", "kl"))
    assert loss == pytest.approx(reconstruction + beta * kl, rel=1e-4), (
        f"loss {loss:.3f}, reconstruction {reconstruction:.3f}, KL {kl:.3f}: trained with "
        f"beta {(loss - reconstruction) / kl:.3f}, expected {beta}"
    )


def test_fit_calls_on_epoch_end_after_every_epoch_with_the_history_so_far(fw, fashion_small):
    calls = []
    history = fw.fit(
        fw.dense_vae(),
        fashion_small.train.images[:512],
        epochs=3,
        on_epoch_end=lambda epoch, so_far: calls.append((epoch, len(so_far["loss"]))),
    )
    assert calls == [(1, 1), (2, 2), (3, 3)], f"on_epoch_end was called as {calls}"
    assert len(history["loss"]) == 3

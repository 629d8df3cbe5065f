"""PyTorch and Keras references agree when they hold the same weights: the framework-neutral
arrays of one model (``to_arrays``) loaded into the other framework's twin (``from_arrays``)."""

from __future__ import annotations

import numpy as np
import pytest
from frameworks import KerasAdapter, TorchAdapter

TOL = dict(rtol=1e-5, atol=1e-5)


@pytest.fixture(scope="module", params=["dense", "conv"])
def twins(request, fashion_small):
    """A torch VAE, a Keras twin holding a copy of its weights, and real images."""
    import vaecourse.keras
    import vaecourse.torch

    pt, ks = TorchAdapter(), KerasAdapter()
    make = {"dense": (pt.dense_vae, ks.dense_vae), "conv": (pt.conv_vae, ks.conv_vae)}
    torch_model, keras_model = make[request.param][0](seed=1), make[request.param][1](seed=2)
    vaecourse.keras.from_arrays(keras_model, vaecourse.torch.to_arrays(torch_model))
    return pt, ks, torch_model, keras_model, fashion_small.test.images[:256]


def test_weights_round_trip_between_frameworks(twins):
    import vaecourse.keras
    import vaecourse.torch

    _, _, torch_model, keras_model, _ = twins
    a, b = vaecourse.torch.to_arrays(torch_model), vaecourse.keras.to_arrays(keras_model)
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_encoders_agree(twins):
    pt, ks, torch_model, keras_model, x = twins
    for a, b, name in zip(
        pt.encode(torch_model, x), ks.encode(keras_model, x), ("z_mean", "z_log_var"), strict=True
    ):
        np.testing.assert_allclose(a, b, **TOL, err_msg=name)


def test_kl_and_loss_agree(twins):
    pt, ks, torch_model, keras_model, x = twins
    z_mean, z_log_var = pt.encode(torch_model, x)
    np.testing.assert_allclose(pt.kl(z_mean, z_log_var), ks.kl(z_mean, z_log_var), **TOL)
    logits = pt.decode_logits(torch_model, z_mean)
    for beta in (0.5, 1.0):
        assert pt.vae_loss(x, logits, z_mean, z_log_var, beta) == pytest.approx(
            ks.vae_loss(x, logits, z_mean, z_log_var, beta), rel=1e-5
        )
    np.testing.assert_allclose(pt.bce(x, logits), ks.bce(x, logits), **TOL)


def test_decoder_outputs_agree(twins):
    pt, ks, torch_model, keras_model, _ = twins
    z = np.random.default_rng(0).normal(size=(64, 10)).astype(np.float32)
    np.testing.assert_allclose(
        pt.decode_logits(torch_model, z), ks.decode_logits(keras_model, z), **TOL
    )
    np.testing.assert_allclose(pt.decode(torch_model, z), ks.decode(keras_model, z), **TOL)


def test_arrays_of_another_architecture_are_refused():
    import vaecourse.keras
    import vaecourse.torch

    pt, ks = TorchAdapter(), KerasAdapter()
    dense = vaecourse.torch.to_arrays(pt.dense_vae())
    with pytest.raises(ValueError, match="another architecture"):
        vaecourse.keras.from_arrays(ks.conv_vae(), dense)
    with pytest.raises(ValueError, match="does not fit"):
        vaecourse.torch.from_arrays(pt.dense_vae_sized(codings_size=2), dense)


def test_samplers_agree_in_distribution():
    """The two frameworks draw different noise, but the same distribution."""
    pt, ks = TorchAdapter(), KerasAdapter()
    mu, gamma = np.full((50_000, 1), 0.7), np.full((50_000, 1), -0.4)
    a, b = pt.sample(mu, gamma, seed=0), ks.sample(mu, gamma, seed=0)
    assert abs(a.mean() - b.mean()) < 0.02 and abs(a.std() - b.std()) < 0.02

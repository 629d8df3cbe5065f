"""The pretrained reference models: one file, the same model in both frameworks, checked files.

Every file of the registry (``vaecourse.pretrained.MODELS``) exists, has its SHA-256, records the
registry's recipe and the scores it was measured with; PyTorch and Keras compute the same outputs
from it (within 1e-5); and a missing, corrupted or mismatched file, an unknown name or framework
give errors that say what is wrong and how to fix it.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys

import numpy as np
import pytest
from safetensors.numpy import save_file

from vaecourse import pretrained

TOL = dict(rtol=1e-5, atol=1e-5)
NAMES = sorted(pretrained.MODELS)


@pytest.fixture
def copied_weights(tmp_path, monkeypatch):
    """The weights folder copied to a temporary one, which ``vaecourse.pretrained`` then uses."""
    folder = tmp_path / "pretrained"
    shutil.copytree(pretrained.WEIGHTS_DIR, folder)
    monkeypatch.setattr(pretrained, "WEIGHTS_DIR", folder)
    return folder


# --- the registry and its files ------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_each_file_has_the_registry_checksum(name):
    entry = pretrained.MODELS[name]
    file = pretrained.path(name)
    assert file.is_file(), f"{file} is missing"
    assert hashlib.sha256(file.read_bytes()).hexdigest() == entry.sha256
    assert file.stat().st_size < 2_000_000, "a dense VAE in float32 is about 1 MB"


@pytest.mark.parametrize("name", NAMES)
def test_each_file_records_the_registry_recipe_and_its_scores(name):
    entry, about = pretrained.MODELS[name], pretrained.info(name)
    assert about["architecture"] == entry.architecture
    assert about["codings_size"] == entry.codings_size
    assert about["beta"] == entry.beta
    assert about["epochs"] == entry.epochs
    assert about["seed"] == entry.seed
    assert about["hidden"] == ",".join(map(str, entry.hidden))
    assert about["train_images"] == 55_000
    for key in ("test_neg_elbo", "test_reconstruction", "test_kl", "frechet_distance"):
        assert np.isfinite(about[key]) and about[key] >= 0, key
    assert about["test_neg_elbo"] == pytest.approx(
        about["test_reconstruction"] + about["test_kl"], abs=1e-3
    )
    assert 0 <= about["active_units"] <= entry.codings_size
    for key, values in about["history"].items():
        assert len(values) == entry.epochs, key
    assert about["history"]["test_neg_elbo"][-1] == pytest.approx(about["test_neg_elbo"], abs=0.01)


def test_beta_1_is_another_name_for_the_books_model():
    assert pretrained.path("dense_vae_beta_1") == pretrained.path("dense_vae")
    assert "dense_vae_beta_1" in pretrained.names()


def test_the_betas_of_the_ablation_are_all_there():
    betas = sorted(
        e.beta for e in pretrained.MODELS.values() if e.codings_size == 10 and e.epochs == 50
    )
    assert betas == [0.0, 0.1, 1.0, 4.0]


# --- the same model in both frameworks -----------------------------------------------------------


@pytest.mark.parametrize("name", ["dense_vae", "dense_vae_2d"])
def test_torch_and_keras_compute_the_same_outputs(name):
    import torch
    from keras import ops

    torch_model = pretrained(name)
    keras_model = pretrained(name, framework="keras")
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (64, 28, 28)).astype(np.float32)
    z = rng.normal(size=(64, pretrained.MODELS[name].codings_size)).astype(np.float32)
    with torch.no_grad():
        torch_encoded = [t.numpy() for t in torch_model.encode(torch.from_numpy(x))]
        torch_decoded = torch_model.decode(torch.from_numpy(z)).numpy()
    keras_encoded = [ops.convert_to_numpy(t) for t in keras_model.encode(x)]
    keras_decoded = ops.convert_to_numpy(keras_model.decode(z))
    for a, b, what in zip(torch_encoded, keras_encoded, ("z_mean", "z_log_var"), strict=True):
        np.testing.assert_allclose(a, b, **TOL, err_msg=what)
    np.testing.assert_allclose(torch_decoded, keras_decoded, **TOL, err_msg="decode")
    assert torch_decoded.shape == (64, 28, 28)


def test_the_keras_model_keeps_the_registry_beta():
    assert pretrained("dense_vae_beta_4", framework="keras").beta == 4.0
    assert pretrained("dense_vae_beta_4", framework="tensorflow").beta == 4.0


def test_the_torch_model_is_in_eval_mode_and_pytorch_is_an_alias():
    assert not pretrained("dense_vae").training
    assert not pretrained("dense_vae", framework="pytorch").training


@pytest.mark.parametrize("name", NAMES)
def test_the_recorded_test_scores_are_those_of_the_file(name, fashion_data_root):
    """The -ELBO the file records is what its weights give on the test images (same noise)."""
    from vaecourse.data import load_fashion_mnist
    from vaecourse.torch import evaluate_elbo

    test_images = load_fashion_mnist(data_dir=fashion_data_root).test.images
    measured = evaluate_elbo(pretrained(name), test_images)
    about = pretrained.info(name)
    assert measured["neg_elbo"] == pytest.approx(about["test_neg_elbo"], abs=0.01)
    assert measured["kl"] == pytest.approx(about["test_kl"], abs=0.01)


# --- errors -----------------------------------------------------------------------------------


def test_an_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown pretrained model 'dense'") as err:
        pretrained("dense")
    for name in pretrained.names():
        assert name in str(err.value)


def test_an_unknown_framework_is_refused():
    with pytest.raises(ValueError, match="framework must be 'torch' or 'keras'"):
        pretrained("dense_vae", framework="jax")


def test_a_missing_file_is_named_with_how_to_restore_it(copied_weights):
    (copied_weights / "dense_vae_2d.safetensors").unlink()
    with pytest.raises(pretrained.PretrainedWeightsError) as err:
        pretrained("dense_vae_2d")
    message = str(err.value)
    assert "is missing" in message and str(copied_weights / "dense_vae_2d.safetensors") in message
    assert "pip install --force-reinstall vaecourse" in message
    assert "git checkout -- vaecourse/weights/pretrained/dense_vae_2d.safetensors" in message
    assert "scripts/train_pretrained.py --only dense_vae_2d" in message


def test_a_corrupted_file_is_refused_with_its_checksum(copied_weights):
    file = copied_weights / "dense_vae.safetensors"
    data = bytearray(file.read_bytes())
    data[-100] ^= 0xFF  # one flipped byte in the last weights
    file.write_bytes(bytes(data))
    for load in (pretrained.load, pretrained.info, pretrained.load_arrays):
        with pytest.raises(pretrained.PretrainedWeightsError) as err:
            load("dense_vae")
        message = str(err.value)
        assert "corrupted or not the shipped version" in message and str(file) in message
        assert hashlib.sha256(bytes(data)).hexdigest() in message
        assert pretrained.MODELS["dense_vae"].sha256 in message


def test_a_file_that_holds_another_recipe_is_refused(copied_weights, monkeypatch):
    """A file with a valid checksum (say, a retrained one recorded in the registry) whose recipe
    is not the registry's: the error names the difference."""
    import dataclasses

    arrays = pretrained.load_arrays("dense_vae")
    metadata = {**pretrained.MODELS["dense_vae"].recipe(), "beta": "4.0"}
    file = copied_weights / "dense_vae.safetensors"
    save_file(arrays, str(file), metadata=metadata)
    entry = dataclasses.replace(
        pretrained.MODELS["dense_vae"], sha256=hashlib.sha256(file.read_bytes()).hexdigest()
    )
    monkeypatch.setitem(pretrained.MODELS, "dense_vae", entry)
    with pytest.raises(pretrained.PretrainedWeightsError, match="beta is '4.0', expected '1.0'"):
        pretrained.info("dense_vae")


# --- import hygiene ------------------------------------------------------------------------------


def test_vaecourse_pretrained_is_lazy_and_loads_no_framework():
    code = (
        "import sys, vaecourse\n"
        "assert 'vaecourse.pretrained' not in sys.modules\n"
        "about = vaecourse.pretrained.info('dense_vae')\n"
        "from vaecourse.pretrained import load\n"
        "assert callable(vaecourse.pretrained) and load is vaecourse.pretrained.load\n"
        "print(sorted(m for m in ('torch', 'tensorflow', 'keras') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

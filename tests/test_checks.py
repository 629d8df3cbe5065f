"""The helpers of the notebooks' test cells (vaecourse.checks) and their first cell
(vaecourse.notebook.setup)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from vaecourse.checks import check_close, check_shape, to_numpy, without_reference

# --- check_close / check_shape ---------------------------------------------------------------


def test_check_close_passes_within_tolerance():
    check_close(np.array([1.0, 2.0]), [1.0, 2.0 + 1e-7], "loss")


def test_check_close_names_the_matching_mistake():
    expected = np.array([4.0, 8.0])
    with pytest.raises(AssertionError, match="known mistake: the mean instead of the sum"):
        check_close(
            expected / 4,
            expected,
            "loss",
            mistakes={
                "the sign is flipped": -expected,
                "the mean instead of the sum": expected / 4,
            },
        )


def test_check_close_reports_nan_as_instability():
    with pytest.raises(AssertionError, match="NaN or inf.*numerically stable"):
        check_close(np.array([np.nan, 1.0]), [1.0, 1.0], "loss")


def test_check_close_reports_shape_with_hint():
    with pytest.raises(AssertionError, match=r"expected shape \(3,\), got \(\).*axes"):
        check_close(np.float64(6.0), [1.0, 2.0, 3.0], "loss")


def test_check_close_shows_the_largest_difference_and_the_hint():
    with pytest.raises(AssertionError, match=r"index \(1,\): expected 2, got 2.5.*Sum it"):
        check_close([1.0, 2.5], [1.0, 2.0], "loss", hint="Sum it.")


def test_check_shape():
    check_shape(np.zeros((2, 3)), (2, 3), "codings")
    with pytest.raises(
        AssertionError, match=r"codings: expected shape \(2, 3\), got \(3, 2\)\. Hm"
    ):
        check_shape(np.zeros((3, 2)), (2, 3), "codings", hint="Hm")


def test_to_numpy_accepts_both_frameworks():
    import tensorflow as tf
    import torch

    leaf = torch.ones(2, requires_grad=True)
    np.testing.assert_array_equal(to_numpy(leaf * 2), [2.0, 2.0])
    np.testing.assert_array_equal(to_numpy(tf.Variable([1.0, 3.0])), [1.0, 3.0])
    assert to_numpy(np.array([1, 2])).dtype.kind == "i"


# --- without_reference ------------------------------------------------------------------------


def _answer_namespace(code: str) -> dict:
    namespace: dict = {}
    exec(textwrap.dedent(code), namespace)  # the student's cell, as a notebook runs it
    return namespace


def test_without_reference_refuses_an_answer_that_calls_the_reference():
    import torch

    ns = _answer_namespace("""
        from vaecourse.torch import kl_divergence as reference
        def kl_divergence(z_mean, z_log_var):
            return reference(z_mean, z_log_var)
    """)
    args = torch.zeros(2, 3), torch.zeros(2, 3)
    with without_reference(ns["kl_divergence"]):
        with pytest.raises(AssertionError, match="calls vaecourse's reference code"):
            ns["kl_divergence"](*args)
    assert ns["kl_divergence"](*args).shape == (2,), "the reference was not restored"


def test_without_reference_refuses_module_attribute_access():
    ns = _answer_namespace("""
        import vaecourse.torch as vt
        def sample_codings(z_mean, z_log_var, seed=None):
            return vt.sample_codings(z_mean, z_log_var, seed)
    """)
    import torch

    with without_reference(ns["sample_codings"]):
        with pytest.raises(AssertionError, match="vaecourse.torch.sample_codings"):
            ns["sample_codings"](torch.zeros(1, 2), torch.zeros(1, 2))


def test_without_reference_refuses_a_subclass_of_a_reference_class():
    ns = _answer_namespace("""
        import vaecourse.keras
        class Sampling(vaecourse.keras.Sampling):
            pass
    """)
    with pytest.raises(AssertionError, match="Sampling subclasses vaecourse.keras.Sampling"):
        with without_reference(ns["Sampling"]):
            pass


@pytest.mark.parametrize(
    "code, call",
    [
        (
            """
        from vaecourse.plots import latent_grid as grid
        def latent_grid(n, kind="gaussian", scale=1.0):
            return grid(n, kind, scale)
    """,
            "latent_grid(3)",
        ),
        (
            """
        import vaecourse.metrics
        def active_units(z_means, threshold=0.01):
            return vaecourse.metrics.active_units(z_means, threshold)
    """,
            "active_units(np.eye(3))",
        ),
        (
            """
        import vaecourse.torch
        def kl_divergence(z_mean, z_log_var, _reference=vaecourse.torch.kl_divergence):
            return _reference(z_mean, z_log_var)
    """,
            "kl_divergence(torch.zeros(1, 2), torch.zeros(1, 2))",
        ),
        (
            """
        def make():
            from vaecourse.torch.losses import kl_divergence as reference
            def kl_divergence(z_mean, z_log_var):
                return reference(z_mean, z_log_var)
            return kl_divergence
        kl_divergence = make()
    """,
            "kl_divergence(torch.zeros(1, 2), torch.zeros(1, 2))",
        ),
        (
            """
        import vaecourse.torch
        def build_autoencoder(codings_size):
            return vaecourse.torch.DenseVAE(codings_size)
    """,
            "build_autoencoder(2)",
        ),
    ],
    ids=["plots.latent_grid", "metrics.active_units", "default argument", "closure", "a class"],
)
def test_without_reference_refuses_every_registered_callable(code, call):
    import torch

    ns = _answer_namespace(code)
    name = call.split("(")[0]
    with without_reference(ns[name]):
        with pytest.raises(AssertionError, match="calls vaecourse's reference code"):
            eval(call, {**ns, "np": np, "torch": torch})
    eval(call, {**ns, "np": np, "torch": torch})  # restored afterwards


def test_without_reference_refuses_the_reference_itself():
    import vaecourse.torch

    with pytest.raises(AssertionError, match="vaecourse.torch.sample_codings"):
        with without_reference(vaecourse.torch.sample_codings):
            pass


def test_without_reference_keeps_a_fallback_model_working():
    """A model the student built from a reference class, before the tests, keeps working: only
    functions and classes are refused, not objects (its own methods call the reference)."""
    import torch

    ns = _answer_namespace("""
        import torch
        import vaecourse.torch
        torch.manual_seed(0)
        model = vaecourse.torch.DenseVAE()
        def reconstruct(x):
            return model.decode(model.encode(x)[0])
    """)
    with without_reference(ns["reconstruct"]):
        assert ns["reconstruct"](torch.zeros(2, 28, 28)).shape == (2, 28, 28)
        logits, _, _ = ns["model"](torch.zeros(2, 28, 28), seed=0)
    assert logits.shape == (2, 28, 28)


def test_the_registry_lists_every_public_callable_of_the_reference_packages():
    import vaecourse.keras
    import vaecourse.torch
    from vaecourse.reference import REFERENCE

    not_answers = {"from_arrays", "to_arrays"}  # weight exchange, nothing a student writes
    for module in (vaecourse.torch, vaecourse.keras):
        unlisted = set(module.__all__) - set(REFERENCE[module.__name__]) - not_answers
        assert not unlisted, f"{module.__name__} exports {unlisted}: add them to the registry"


def test_without_reference_leaves_an_own_answer_alone():
    ns = _answer_namespace("""
        import numpy as np
        def double(x):
            return 2 * np.asarray(x)
    """)
    with without_reference(ns["double"]):
        np.testing.assert_array_equal(ns["double"]([1, 2]), [2, 4])


# --- the first cell of every notebook ---------------------------------------------------------


@pytest.mark.parametrize("framework", ["pytorch", "tensorflow"])
def test_setup_writes_nothing_to_stderr(framework):
    """nbgrader gives a test cell 0 when it writes to stderr: framework start-up messages and
    Python warnings must not get there."""
    code = textwrap.dedent(f"""
        import warnings
        from vaecourse.notebook import setup
        setup({framework!r})
        warnings.warn("a warning a student's code might trigger")
        if {framework!r} == "tensorflow":
            import keras
            keras.layers.Dense(2, input_shape=(3,))  # Keras warns about input_shape
    """)
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", f"setup({framework!r}) let this reach stderr:\n{result.stderr}"
    assert "a warning a student's code might trigger" in result.stdout

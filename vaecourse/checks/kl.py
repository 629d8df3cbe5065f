"""Checks of the latent loss (assignment 03): the KL divergence of N(mu, sigma^2) to N(0, I) in
its log-variance and sigma forms, a Monte Carlo estimate of it, and their gradients.

The expected values are the closed form written in NumPy (float64) here, next to what the
common mistakes return, so that a failure names the mistake. The answers' outputs and gradients
arrive as tensors or arrays; ``track`` ("pytorch" or "tensorflow") only picks the wording of a
hint.
"""

from __future__ import annotations

import contextlib

import numpy as np

from . import check_close, to_numpy

_OPERATIONS = {
    "pytorch": "torch operations only (no NumPy, .item() or .detach())",
    "tensorflow": "keras.ops (or TensorFlow) operations only (no NumPy, no ops.stop_gradient)",
}


def kl_closed_form(z_mean, z_log_var) -> np.ndarray:
    """-0.5 * sum(1 + gamma - exp(gamma) - mu^2) over the last axis, in float64."""
    mu, gamma = np.asarray(z_mean, np.float64), np.asarray(z_log_var, np.float64)
    return 0.5 * (np.exp(gamma) + mu**2 - 1 - gamma).sum(axis=-1)


def kl_std_closed_form(z_mean, z_std) -> np.ndarray:
    """0.5 * sum(sigma^2 + mu^2 - 1 - log(sigma^2)) over the last axis, in float64."""
    mu, sigma = np.asarray(z_mean, np.float64), np.asarray(z_std, np.float64)
    return 0.5 * (sigma**2 + mu**2 - 1 - 2 * np.log(sigma)).sum(axis=-1)


def _reduction_mistakes(expected: np.ndarray, n_dims: int) -> dict:
    return {
        "the mean over the latent dimensions instead of the sum": expected / n_dims,
        "the factor 1/2 is missing": 2 * expected,
        "summed over the batch too; return one value per example, shape (N,)": expected.sum(),
        "averaged over the batch; return one value per example, shape (N,)": expected.mean(),
    }


def _kl_mistakes(z_mean, z_log_var, expected) -> dict:
    mu, gamma = np.asarray(z_mean, np.float64), np.asarray(z_log_var, np.float64)
    n_dims = mu.shape[-1]
    return {
        "the sign is flipped (a KL divergence is never negative): "
        "KL = -0.5 * sum(1 + gamma - exp(gamma) - mu^2)": -expected,
        **_reduction_mistakes(expected, n_dims),
        "z_log_var used as log(sigma), with sigma^2 = exp(2 * z_log_var); it is the "
        "log-VARIANCE gamma = log(sigma^2), so sigma^2 = exp(z_log_var) and log(sigma^2) = "
        "z_log_var": 0.5 * (np.exp(2 * gamma) + mu**2 - 1 - 2 * gamma).sum(axis=-1),
        "the -1 is missing (the KL of N(0, 1) with itself must be 0)": expected + 0.5 * n_dims,
    }


def _kl_std_mistakes(z_mean, z_std, expected) -> dict:
    mu, sigma = np.asarray(z_mean, np.float64), np.asarray(z_std, np.float64)

    def kl(variance, log_variance):
        return 0.5 * (variance + mu**2 - 1 - log_variance).sum(axis=-1)

    square = "square the standard deviation to get the variance"
    return {
        "log(sigma) instead of log(sigma^2); note that log(sigma^2) = 2 * log(sigma)": kl(
            sigma**2, np.log(sigma)
        ),
        f"sigma instead of sigma^2 ({square})": kl(sigma, np.log(sigma)),
        f"sigma instead of sigma^2 in the first term ({square})": kl(sigma, 2 * np.log(sigma)),
        "the sign is flipped (a KL divergence is never negative)": -expected,
        **_reduction_mistakes(expected, mu.shape[-1]),
        "z_std used as a log-variance; z_std is the standard deviation sigma itself, so "
        "sigma^2 = z_std ** 2 (the log-variance form is the job of kl_divergence)": kl(
            np.exp(sigma), sigma
        ),
    }


def check_kl(got, z_mean, z_log_var, what: str, rtol: float = 1e-4, atol: float = 1e-5) -> None:
    """``got`` is KL(N(z_mean, exp(z_log_var)) || N(0, I)) per example: finite, shape (N,)."""
    got = to_numpy(got)
    if not np.all(np.isfinite(got)):
        raise AssertionError(
            f"{what}: got {got}, with inf or NaN values, so it is not numerically stable. "
            "z_log_var is gamma = log(sigma^2): use exp(z_log_var) for sigma^2 and z_log_var "
            "itself for log(sigma^2). Do not take the log of z_log_var or of exp(z_log_var), and "
            "do not go through sigma = exp(z_log_var / 2): in float32, sigma^2 underflows to 0."
        )
    expected = kl_closed_form(z_mean, z_log_var)
    check_close(
        got,
        expected,
        what,
        mistakes=_kl_mistakes(z_mean, z_log_var, expected),
        hint="Per example, sum 0.5 * (exp(gamma) + mu^2 - 1 - gamma) over the latent dimensions "
        "(the last axis), and do not reduce over the batch.",
        rtol=rtol,
        atol=atol,
    )


def check_kl_std(got, z_mean, z_std, what: str, rtol: float = 1e-4, atol: float = 1e-5) -> None:
    """``got`` is KL(N(z_mean, z_std ** 2) || N(0, I)) per example, shape (N,)."""
    expected = kl_std_closed_form(z_mean, z_std)
    check_close(
        got,
        expected,
        what,
        mistakes=_kl_std_mistakes(z_mean, z_std, expected),
        hint="Per example, sum 0.5 * (sigma^2 + mu^2 - 1 - log(sigma^2)) over the latent "
        "dimensions (the last axis), and do not reduce over the batch.",
        rtol=rtol,
        atol=atol,
    )


def check_gradients_flow(gradients, what: str, track: str) -> None:
    """Fail unless every gradient in ``gradients`` exists (None: no gradient flowed)."""
    if any(g is None for g in gradients):
        raise AssertionError(
            f"Gradients cannot flow through {what}: compute it with {_OPERATIONS[track]}."
        )


def _check_partials(what: str, *partials) -> None:
    """Each (found, expected, variable, atol): the gradient of ``what`` with respect to it."""
    for found, expected, variable, atol in partials:
        check_close(
            found,
            expected,
            f"the gradient of {what} with respect to {variable}",
            rtol=1e-4,
            atol=atol,
        )


def check_kl_gradients(grad_mean, grad_log_var, z_mean, z_log_var, what: str) -> None:
    """The gradients of sum(KL) are d/d mu = mu and d/d gamma = (exp(gamma) - 1) / 2."""
    gamma = np.asarray(z_log_var, np.float64)
    _check_partials(
        what,
        (grad_mean, np.asarray(z_mean, np.float64), "z_mean", 1e-6),
        (grad_log_var, 0.5 * np.expm1(gamma), "z_log_var", 1e-6),
    )


def check_kl_std_gradients(grad_mean, grad_std, z_mean, z_std, what: str) -> None:
    """The gradients of sum(KL) are d/d mu = mu and d/d sigma = sigma - 1 / sigma."""
    sigma = np.asarray(z_std, np.float64)
    _check_partials(
        what,
        (grad_mean, np.asarray(z_mean, np.float64), "z_mean", 1e-6),
        (grad_std, sigma - 1 / sigma, "z_std", 1e-5),
    )


# --- Monte Carlo --------------------------------------------------------------------------------


def _moments(a, b, c):
    """Mean and variance of sum_j (a_j + b_j eps_j + c_j eps_j^2), eps_j ~ N(0, 1) independent."""
    return (a + c).sum(axis=-1), (b**2 + 2 * c**2).sum(axis=-1)


def _estimators(z_mean, z_log_var):
    """(mean, variance of one draw) of the right estimator, and [(mistake, (mean, variance))] of
    some wrong ones. Per dimension, one draw of log q(z) - log p(z) is
    -gamma/2 + mu^2/2 + mu sigma eps + (sigma^2 - 1) eps^2 / 2."""
    mu, gamma = np.asarray(z_mean, np.float64), np.asarray(z_log_var, np.float64)
    n_dims = mu.shape[-1]
    var, wide = np.exp(gamma), np.exp(2 * gamma)  # sigma^2, and sigma^2 if sigma = exp(gamma)
    right = _moments(-gamma / 2 + mu**2 / 2, mu * np.sqrt(var), (var - 1) / 2)
    sampling = (
        "sigma = exp(z_log_var) instead of sigma = exp(z_log_var / 2) when drawing the "
        "codings: z_log_var is log(sigma^2)"
    )
    no_log_q = (
        "the log q(z) term is missing (this estimates -log p(z) only); average log q(z) - log p(z)"
    )
    minus_log_p = _moments(mu**2 / 2, mu * np.sqrt(var), var / 2)
    return right, [
        (sampling, _moments(-gamma / 2 + mu**2 / 2, mu * np.exp(gamma), (wide - 1) / 2)),
        (sampling, _moments(-gamma / 2 + mu**2 / 2, mu * np.exp(gamma), (wide - var) / 2)),
        (sampling, _moments(-gamma + mu**2 / 2, mu * np.exp(gamma), (wide - 1) / 2)),
        (no_log_q, minus_log_p),
        (no_log_q, (minus_log_p[0] + 0.5 * np.log(2 * np.pi) * n_dims, minus_log_p[1])),
        (
            "the mean over the latent dimensions instead of the sum",
            (right[0] / n_dims, right[1] / n_dims**2),
        ),
        (
            "the sign is flipped: average log q(z) - log p(z), not log p(z) - log q(z)",
            (-right[0], right[1]),
        ),
    ]


def check_monte_carlo_estimate(got, z_mean, z_log_var, n_samples: int, what: str) -> None:
    """Pass when every estimate lies within 5 standard errors of the exact KL; otherwise name the
    mistake whose estimator the estimates fit."""
    (mean, var), wrong = _estimators(z_mean, z_log_var)
    got = to_numpy(got)
    if got.shape != mean.shape:
        raise AssertionError(
            f"{what}: expected shape {mean.shape} (one estimate per example), got {got.shape}. "
            "Sum log q(z) - log p(z) over the latent dimensions (the last axis), then average "
            "over the n_samples draws (the first axis)."
        )
    if not np.all(np.isfinite(got)):
        raise AssertionError(f"{what}: got {got}, with inf or NaN values.")

    def within(m, v):
        tolerance = 5 * np.sqrt(v / n_samples) + 1e-4 * (1 + np.abs(m))
        return bool(np.all(np.abs(got - m) <= tolerance))

    if within(mean, var):
        return
    for mistake, (m, v) in wrong:
        if within(m, v):
            raise AssertionError(f"{what}: the estimates match a known mistake: {mistake}.")
    raise AssertionError(
        f"{what}: expected {np.round(mean, 4)} give or take "
        f"{np.round(5 * np.sqrt(var / n_samples), 4)} (5 standard errors), got {np.round(got, 4)}."
        " Check that z = z_mean + exp(z_log_var / 2) * eps with n_samples independent draws of "
        "eps per example, and that log q(z) - log p(z) is summed over the latent dimensions and "
        "averaged over the draws."
    )


def check_independent_noise(estimates, expected_std: float, n_samples: int) -> None:
    """``estimates`` of identical examples (mu = 2, gamma = 0, one dimension: one draw is
    2 + 2 eps) spread with a standard deviation of ``expected_std`` = 2 / sqrt(n_samples)."""
    spread = to_numpy(estimates).std()
    if spread <= 1e-6:
        raise AssertionError(
            f"monte_carlo_kl gave exactly the same estimate for {len(estimates)} identical "
            "examples: one epsilon is shared across the batch. Draw independent noise for every "
            "example, eps of shape (n_samples, N, codings_size)."
        )
    if not 0.5 * expected_std < spread < 2 * expected_std:
        raise AssertionError(
            f"The estimates of {len(estimates)} identical examples ({n_samples} draws each) have "
            f"a standard deviation of {spread:.3g}, expected about {expected_std:.3g}. If it is "
            "about 2, the same epsilon is used for every draw (a single sample): draw eps of "
            "shape (n_samples, N, codings_size)."
        )


def check_int_seeds(first, again, other, how: str) -> None:
    """``first`` and ``again`` come from the same int seed, ``other`` from another one. ``how``
    says how the noise should be drawn from the seed."""
    first, again, other = to_numpy(first), to_numpy(again), to_numpy(other)
    if not np.array_equal(first, again):
        raise AssertionError(
            f"Two calls with the same seed gave different estimates: the seed is ignored. {how}"
        )
    if np.array_equal(first, other):
        raise AssertionError(
            "Two different seeds gave identical estimates: is the noise really drawn with the "
            f"seed? {how}"
        )


def check_generator_seeds(first, second, replay, generator: str, how: str) -> None:
    """``first`` and ``second`` come from two calls with one ``generator`` object, ``replay`` from
    a new generator made with the same seed as the first."""
    first, second, replay = to_numpy(first), to_numpy(second), to_numpy(replay)
    if np.array_equal(first, second):
        raise AssertionError(
            f"Two calls with the same {generator} gave identical estimates: draw the noise from "
            f"the generator you are given (it moves on at every draw), do not re-seed it. {how}"
        )
    if not np.array_equal(first, replay):
        raise AssertionError(
            f"Two {generator}s made with the same seed gave different estimates: draw the noise "
            f"from the generator you are given. {how}"
        )


def check_monte_carlo_gradients(
    grad_mean, grad_log_var, z_mean, z_log_var, n_samples: int, track: str
) -> None:
    """On average the gradients of the estimate are those of the closed form: d/d mu = mu and
    d/d gamma = (sigma^2 - 1) / 2; each must lie within 5 standard errors of them. A gradient of
    None means that none flowed."""
    if grad_mean is None and grad_log_var is None:
        raise AssertionError(
            "monte_carlo_kl is not differentiable: no gradient reaches z_mean or z_log_var. "
            f"Compute it with {_OPERATIONS[track]}."
        )
    mu, gamma = np.asarray(z_mean, np.float64), np.asarray(z_log_var, np.float64)
    sigma2 = np.exp(gamma)
    reparameterize = (
        "Draw the codings with the reparameterization z = z_mean + exp(z_log_var / 2) * eps and "
        "keep them connected to z_mean and z_log_var (no .detach() or stop_gradient on them)."
    )
    checks = [
        ("z_mean", grad_mean, mu, np.sqrt(sigma2)),
        ("z_log_var", grad_log_var, (sigma2 - 1) / 2, 0.5 * np.sqrt(sigma2 * (mu**2 + 2 * sigma2))),
    ]
    for name, grad, expected, sd in checks:
        got = np.zeros_like(expected) if grad is None else to_numpy(grad)
        if not np.all(np.abs(got - expected) <= 5 * sd / np.sqrt(n_samples) + 1e-4):
            raise AssertionError(
                f"The gradient of monte_carlo_kl with respect to {name} is {np.round(got, 4)}"
                f"{' (none flowed)' if grad is None else ''}, expected about "
                f"{np.round(expected, 3)}. {reparameterize}"
            )


def output_and_gradients(function, *arrays, track: str):
    """Call ``function`` on float32 tensors made from ``arrays``; return its output and the
    gradients of the sum of that output with respect to each input (None where none flowed)."""
    if track == "pytorch":
        import torch

        inputs = [torch.tensor(np.asarray(a, np.float32), requires_grad=True) for a in arrays]
        output = function(*inputs)
        if not (isinstance(output, torch.Tensor) and output.requires_grad):
            return output, [None] * len(inputs)
        return output, list(torch.autograd.grad(output.sum(), inputs, allow_unused=True))
    import tensorflow as tf

    inputs = [tf.constant(np.asarray(a, np.float32)) for a in arrays]
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        output = function(*inputs)
        total = tf.reduce_sum(output)
    return output, tape.gradient(total, inputs)


# --- stand-ins ---------------------------------------------------------------------------------


@contextlib.contextmanager
def replaced(namespace: dict, **values):
    """Bind each name to its value in ``namespace`` (a notebook's ``globals()``) while the block
    runs; afterwards put back what was there (or remove a name that was not)."""
    missing = object()
    saved = {name: namespace.get(name, missing) for name in values}
    namespace.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


def _no_closed_form(*args, **kwargs):
    raise AssertionError(
        "monte_carlo_kl called kl_divergence (or kl_divergence_std): it must not. It is an "
        "independent check of the closed form, so estimate the KL by sampling."
    )


def refusing_closed_forms(namespace: dict):
    """While the block runs, ``kl_divergence`` and ``kl_divergence_std`` in ``namespace`` fail
    when called: monte_carlo_kl must not use them."""
    return replaced(namespace, kl_divergence=_no_closed_form, kl_divergence_std=_no_closed_form)

"""Realistic wrong answers for 02-reparameterization, both tracks.

Each ``code`` replaces the whole answer cell with that ``grade_id``; the names imported by the
notebook's setup cell (np, torch, nn, F / keras, layers, ops, tf) are available to it.
"""

from __future__ import annotations

from wrong_answers import reference_only, right_answers_of, wrong_answers_of

A = "02-reparameterization"


_torch = wrong_answers_of(A, "pytorch")
_keras = wrong_answers_of(A, "tensorflow")


# --------------------------------------------------------------------------------------------
# PyTorch track
# --------------------------------------------------------------------------------------------

_TORCH_SAMPLER = """
def sample_codings(z_mean, z_log_var, seed=None):
    if seed is None or isinstance(seed, torch.Generator):
        generator = seed
    else:
        generator = torch.Generator().manual_seed(int(seed))
    {body}
"""


def _torch_sampler(body: str) -> str:
    return _TORCH_SAMPLER.format(body=body)


_TORCH_ENCODER = """
def build_variational_encoder(codings_size):
    class VariationalEncoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Flatten(), nn.Linear(784, 150), nn.ReLU(),
                                      nn.Linear(150, 100), nn.ReLU())
            self.z_mean = {mean_head}
            self.z_log_var = {log_var_head}

        def forward(self, x, seed=None):
            hidden = self.body(x)
            {forward}

    return VariationalEncoder()
"""

_TORCH_FORWARD = (
    "z_mean, z_log_var = self.z_mean(hidden), self.z_log_var(hidden)\n"
    "            return z_mean, z_log_var, sample_codings(z_mean, z_log_var, seed)"
)


def _torch_encoder(
    mean_head="nn.Linear(100, codings_size)",
    log_var_head="nn.Linear(100, codings_size)",
    forward=_TORCH_FORWARD,
) -> str:
    return _TORCH_ENCODER.format(mean_head=mean_head, log_var_head=log_var_head, forward=forward)


TORCH = [
    # sampling: sample_codings(z_mean, z_log_var, seed=None)
    _torch(
        "sampling",
        "sigma = exp(gamma): the variance used as the standard deviation",
        _torch_sampler(
            "eps = torch.randn(z_mean.shape, generator=generator)\n"
            "    return z_mean + torch.exp(z_log_var) * eps"
        ),
        "sigma = exp(z_log_var), which is the variance",
    ),
    _torch(
        "sampling",
        "one epsilon shared across the batch",
        _torch_sampler(
            "eps = torch.randn(z_mean.shape[1], generator=generator)  # one draw per dimension\n"
            "    return z_mean + torch.exp(z_log_var / 2) * eps"
        ),
        "one epsilon is shared across the batch",
    ),
    _torch(
        "sampling",
        "gamma used as the standard deviation",
        _torch_sampler(
            "eps = torch.randn(z_mean.shape, generator=generator)\n"
            "    return z_mean + z_log_var * eps"
        ),
        "z_log_var used as the standard deviation",
    ),
    _torch(
        "sampling",
        "no noise at all: returns z_mean",
        """
def sample_codings(z_mean, z_log_var, seed=None):
    return z_mean  # the expected coding
""",
        "no noise at all",
    ),
    _torch(
        "sampling",
        "uniform noise (torch.rand) instead of standard normal",
        _torch_sampler(
            "eps = torch.rand(z_mean.shape, generator=generator)\n"
            "    return z_mean + torch.exp(z_log_var / 2) * eps"
        ),
        "the noise is uniform (torch.rand)",
    ),
    _torch(
        "sampling",
        "seed ignored: always the global generator",
        """
def sample_codings(z_mean, z_log_var, seed=None):
    eps = torch.randn_like(z_mean)
    return z_mean + torch.exp(z_log_var / 2) * eps
""",
        "the seed is ignored",
    ),
    _torch(
        "sampling",
        "z_log_var detached: no gradient reaches it",
        _torch_sampler(
            "eps = torch.randn(z_mean.shape, generator=generator)\n"
            "    sigma = torch.exp(z_log_var.detach() / 2)\n"
            "    return z_mean + sigma * eps"
        ),
        "no gradient reaches z_log_var",
    ),
    _torch(
        "sampling",
        "sigma = sqrt(exp(z_log_var)): overflows for large log-variances",
        _torch_sampler(
            "eps = torch.randn(z_mean.shape, generator=generator)\n"
            "    return z_mean + torch.sqrt(torch.exp(z_log_var)) * eps"
        ),
        "not sqrt(exp(z_log_var))",
    ),
    _torch(
        "sampling",
        "`if seed:` treats seed=0 as no seed",
        """
def sample_codings(z_mean, z_log_var, seed=None):
    if isinstance(seed, torch.Generator):
        generator = seed
    elif seed:
        generator = torch.Generator().manual_seed(seed)
    else:  # None, and 0 too
        generator = None
    eps = torch.randn(z_mean.shape, generator=generator)
    return z_mean + torch.exp(z_log_var / 2) * eps
""",
        "seed=0 is treated as no seed",
    ),
    _torch(
        "sampling",
        "a torch.Generator ignored: the global generator instead",
        """
def sample_codings(z_mean, z_log_var, seed=None):
    generator = torch.Generator().manual_seed(seed) if isinstance(seed, int) else None
    eps = torch.randn(z_mean.shape, generator=generator)
    return z_mean + torch.exp(z_log_var / 2) * eps
""",
        "the generator is ignored",
    ),
    _torch(
        "sampling",
        "a torch.Generator restarted from its initial seed at every call",
        """
def sample_codings(z_mean, z_log_var, seed=None):
    if isinstance(seed, torch.Generator):
        seed = seed.initial_seed()  # a fresh copy: the caller's stream never moves on
    generator = None if seed is None else torch.Generator().manual_seed(seed)
    eps = torch.randn(z_mean.shape, generator=generator)
    return z_mean + torch.exp(z_log_var / 2) * eps
""",
        "its stream continues",
    ),
    _torch(
        "sampling",
        "torch.manual_seed(seed) inside: resets the global generator",
        """
def sample_codings(z_mean, z_log_var, seed=None):
    generator = seed if isinstance(seed, torch.Generator) else None
    if seed is not None and generator is None:
        torch.manual_seed(seed)
    eps = torch.randn(z_mean.shape, generator=generator)
    return z_mean + torch.exp(z_log_var / 2) * eps
""",
        "changed the state of PyTorch's global random generator",
    ),
    # build_variational_encoder(codings_size)
    _torch(
        "build_variational_encoder",
        "codings = z_mean: no sampling",
        _torch_encoder(
            forward="z_mean, z_log_var = self.z_mean(hidden), self.z_log_var(hidden)\n"
            "            return z_mean, z_log_var, z_mean"
        ),
        "the codings equal z_mean",
        tampered=True,
    ),
    _torch(
        "build_variational_encoder",
        "ReLU on the log-variance head",
        _torch_encoder(log_var_head="nn.Sequential(nn.Linear(100, codings_size), nn.ReLU())"),
        "z_log_var is never negative",
    ),
    _torch(
        "build_variational_encoder",
        "one layer for both heads",
        _torch_encoder(
            forward="z_mean = z_log_var = self.z_mean(hidden)\n"
            "            return z_mean, z_log_var, sample_codings(z_mean, z_log_var, seed)"
        ),
        "the two heads share one layer",
    ),
    _torch(
        "build_variational_encoder",
        "outputs in the wrong order (codings first)",
        _torch_encoder(
            forward="z_mean, z_log_var = self.z_mean(hidden), self.z_log_var(hidden)\n"
            "            return sample_codings(z_mean, z_log_var, seed), z_mean, "
            "z_log_var"
        ),
        "the outputs are in the wrong order",
    ),
    _torch(
        "build_variational_encoder",
        "codings_size ignored (always 10 codings)",
        _torch_encoder(mean_head="nn.Linear(100, 10)", log_var_head="nn.Linear(100, 10)"),
        "use the codings_size argument",
    ),
    _torch(
        "build_variational_encoder",
        "seed not passed on to sample_codings",
        _torch_encoder(
            forward="z_mean, z_log_var = self.z_mean(hidden), self.z_log_var(hidden)\n"
            "            return z_mean, z_log_var, sample_codings(z_mean, z_log_var)"
        ),
        "forward should pass its seed on",
    ),
    _torch(
        "build_variational_encoder",
        "dropout in the body: z_mean changes from pass to pass",
        _torch_encoder().replace(
            "nn.Linear(150, 100), nn.ReLU())", "nn.Linear(150, 100), nn.ReLU(), nn.Dropout(0.2))"
        ),
        "z_mean and z_log_var changed between two passes",
    ),
    _torch(
        "build_variational_encoder",
        "forward's seed defaults to 0: every pass draws the same codings",
        _torch_encoder().replace(
            "def forward(self, x, seed=None):", "def forward(self, x, seed=0):"
        ),
        "Two passes without a seed gave the same codings",
    ),
    _torch(
        "build_variational_encoder",
        "codings sampled from detached z_mean and z_log_var",
        _torch_encoder(
            forward="z_mean, z_log_var = self.z_mean(hidden), self.z_log_var(hidden)\n"
            "            codings = sample_codings(z_mean.detach(), z_log_var.detach(), seed)\n"
            "            return z_mean, z_log_var, codings"
        ),
        "No gradient reaches these parameters from the codings",
    ),
]

# --------------------------------------------------------------------------------------------
# TensorFlow (Keras 3) track
# --------------------------------------------------------------------------------------------

_KERAS_SAMPLING = """
class Sampling(keras.layers.Layer):
    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(seed, keras.random.SeedGenerator):
            self.seed_generator = seed
        else:
            self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        {body}
"""


def _keras_sampling(body: str) -> str:
    return _KERAS_SAMPLING.format(body=body)


_KERAS_ENCODER = """
def build_variational_encoder(codings_size):
    inputs = keras.Input(shape=(28, 28))
    hidden = layers.Flatten()(inputs)
    hidden = layers.Dense(150, activation="relu")(hidden)
    hidden = layers.Dense(100, activation="relu")(hidden)
    {heads}
    {codings}
    return keras.Model(inputs, {outputs})
"""


def _keras_encoder(
    heads="z_mean = layers.Dense(codings_size)(hidden)\n"
    "    z_log_var = layers.Dense(codings_size)(hidden)",
    codings="codings = Sampling()([z_mean, z_log_var])",
    outputs="[z_mean, z_log_var, codings]",
) -> str:
    return _KERAS_ENCODER.format(heads=heads, codings=codings, outputs=outputs)


KERAS = [
    # sampling: the Sampling layer
    _keras(
        "sampling",
        "sigma = exp(gamma): the variance used as the standard deviation",
        _keras_sampling(
            "eps = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)\n"
            "        return z_mean + ops.exp(z_log_var) * eps"
        ),
        "sigma = exp(z_log_var), which is the variance",
    ),
    _keras(
        "sampling",
        "one epsilon shared across the batch",
        _keras_sampling(
            "eps = keras.random.normal(ops.shape(z_mean)[1:], seed=self.seed_generator)\n"
            "        return z_mean + ops.exp(z_log_var / 2) * eps"
        ),
        "one epsilon is shared across the batch",
    ),
    _keras(
        "sampling",
        "gamma used as the standard deviation",
        _keras_sampling(
            "eps = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)\n"
            "        return z_mean + z_log_var * eps"
        ),
        "z_log_var used as the standard deviation",
    ),
    _keras(
        "sampling",
        "no noise at all: returns z_mean",
        _keras_sampling("return z_mean  # the expected coding"),
        "no noise at all",
    ),
    _keras(
        "sampling",
        "the book's layer: seed accepted but ignored (tf.random.normal)",
        """
class Sampling(keras.layers.Layer):
    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)

    def call(self, inputs):
        mean, log_var = inputs
        return tf.random.normal(tf.shape(log_var)) * tf.exp(log_var / 2) + mean
""",
        "the seed is ignored",
    ),
    _keras(
        "sampling",
        "the int seed passed to keras.random.normal at every call",
        """
class Sampling(keras.layers.Layer):
    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed

    def call(self, inputs):
        z_mean, z_log_var = inputs
        eps = keras.random.normal(ops.shape(z_mean), seed=self.seed)
        return z_mean + ops.exp(z_log_var / 2) * eps
""",
        "One Sampling layer gave the same codings at two calls",
    ),
    _keras(
        "sampling",
        "sigma computed in NumPy: no gradient reaches z_log_var",
        _keras_sampling(
            "eps = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)\n"
            "        sigma = np.exp(ops.convert_to_numpy(z_log_var) / 2)\n"
            "        return z_mean + sigma * eps"
        ),
        "no gradient reaches z_log_var",
    ),
    _keras(
        "sampling",
        "uniform noise (keras.random.uniform) instead of standard normal",
        _keras_sampling(
            "eps = keras.random.uniform(ops.shape(z_mean), seed=self.seed_generator)\n"
            "        return z_mean + ops.exp(z_log_var / 2) * eps"
        ),
        "the noise is uniform (keras.random.uniform)",
    ),
    _keras(
        "sampling",
        "sigma = sqrt(exp(z_log_var)): overflows for large log-variances",
        _keras_sampling(
            "eps = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)\n"
            "        return z_mean + ops.sqrt(ops.exp(z_log_var)) * eps"
        ),
        "not sqrt(exp(z_log_var))",
    ),
    _keras(
        "sampling",
        "z_mean.shape for the noise: fails inside a functional model",
        _keras_sampling(
            "eps = keras.random.normal(z_mean.shape, seed=self.seed_generator)\n"
            "        return z_mean + ops.exp(z_log_var / 2) * eps"
        ),
        "Sampling failed inside a functional model",
    ),
    _keras(
        "sampling",
        "`if seed:` treats seed=0 as no seed",
        """
class Sampling(keras.layers.Layer):
    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(seed, keras.random.SeedGenerator):
            self.seed_generator = seed
        elif seed:
            self.seed_generator = keras.random.SeedGenerator(seed)
        else:  # None, and 0 too
            self.seed_generator = keras.random.SeedGenerator()

    def call(self, inputs):
        z_mean, z_log_var = inputs
        eps = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(z_log_var / 2) * eps
""",
        "seed=0 is treated as no seed",
    ),
    _keras(
        "sampling",
        "a SeedGenerator ignored: the layer makes its own",
        """
class Sampling(keras.layers.Layer):
    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(seed if isinstance(seed, int) else None)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        eps = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(z_log_var / 2) * eps
""",
        "the generator is ignored",
    ),
    _keras(
        "sampling",
        "a SeedGenerator copied from its initial seed: layers sharing one repeat its noise",
        """
class Sampling(keras.layers.Layer):
    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(seed, keras.random.SeedGenerator):
            seed = seed.get_config()["seed"]  # a fresh copy: the caller's stream never moves on
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        eps = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(z_log_var / 2) * eps
""",
        "its stream continues",
    ),
    _keras(
        "sampling",
        "keras.utils.set_random_seed(seed) in __init__: resets the global random state",
        """
class Sampling(keras.layers.Layer):
    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(seed, keras.random.SeedGenerator):
            self.seed_generator = seed
        else:
            if seed is not None:
                keras.utils.set_random_seed(seed)  # seeds Python, NumPy and TensorFlow
            self.seed_generator = keras.random.SeedGenerator()

    def call(self, inputs):
        z_mean, z_log_var = inputs
        eps = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(z_log_var / 2) * eps
""",
        "changed the global random state",
    ),
    # build_variational_encoder(codings_size)
    _keras(
        "build_variational_encoder",
        "codings = z_mean: no sampling",
        _keras_encoder(codings="codings = z_mean"),
        "the codings equal z_mean",
        tampered=True,
    ),
    _keras(
        "build_variational_encoder",
        "softplus on the log-variance head",
        _keras_encoder(
            heads="z_mean = layers.Dense(codings_size)(hidden)\n"
            '    z_log_var = layers.Dense(codings_size, activation="softplus")(hidden)'
        ),
        "z_log_var is never negative",
    ),
    _keras(
        "build_variational_encoder",
        "one layer for both heads",
        _keras_encoder(heads="z_mean = z_log_var = layers.Dense(codings_size)(hidden)"),
        "the two heads share one layer",
    ),
    _keras(
        "build_variational_encoder",
        "outputs in the wrong order (codings first)",
        _keras_encoder(outputs="[codings, z_mean, z_log_var]"),
        "the outputs are in the wrong order",
    ),
    _keras(
        "build_variational_encoder",
        "codings_size ignored (always 10 codings)",
        _keras_encoder(
            heads="z_mean = layers.Dense(10)(hidden)\n    z_log_var = layers.Dense(10)(hidden)"
        ),
        "use the codings_size argument",
    ),
    _keras(
        "build_variational_encoder",
        "codings from a Lambda layer instead of Sampling",
        _keras_encoder(
            codings=(
                "codings = layers.Lambda(lambda t: t[0] + ops.exp(t[1] / 2)\n"
                "                            * keras.random.normal(ops.shape(t[0])))(\n"
                "        [z_mean, z_log_var])"
            )
        ),
        "do not come from the Sampling layer",
    ),
    _keras(
        "build_variational_encoder",
        "codings sampled from stop_gradient(z_mean) and stop_gradient(z_log_var)",
        _keras_encoder(
            codings="codings = Sampling()([ops.stop_gradient(z_mean), "
            "ops.stop_gradient(z_log_var)])"
        ),
        "No gradient reaches these weights from the codings",
    ),
]

REFERENCE_ONLY = [
    reference_only(
        A,
        "pytorch",
        "sampling",
        """
import vaecourse.torch


def sample_codings(z_mean, z_log_var, seed=None):
    return vaecourse.torch.sample_codings(z_mean, z_log_var, seed)
""",
    ),
    reference_only(
        A,
        "tensorflow",
        "sampling",
        """
from vaecourse.keras import Sampling
""",
    ),
]

CATALOGUE = TORCH + KERAS + REFERENCE_ONLY

# --------------------------------------------------------------------------------------------
# Right answers written differently from the solution: each must keep every point.
# --------------------------------------------------------------------------------------------


_right = right_answers_of(A)


ALTERNATIVES = [
    _right(
        "pytorch",
        "sampling",
        "normal_() in place on an empty tensor, and torch.addcmul",
        """
def sample_codings(z_mean, z_log_var, seed=None):
    if isinstance(seed, int):
        seed = torch.Generator(device=z_mean.device).manual_seed(seed)
    eps = torch.empty_like(z_mean).normal_(generator=seed)
    return torch.addcmul(z_mean, z_log_var.mul(0.5).exp(), eps)
""",
    ),
    _right(
        "pytorch",
        "sampling",
        "Normal(...).rsample() under torch.random.fork_rng for a seed",
        """
def sample_codings(z_mean, z_log_var, seed=None):
    std = torch.exp(0.5 * z_log_var)
    if isinstance(seed, torch.Generator):
        return z_mean + std * torch.randn(z_mean.shape, generator=seed)
    if seed is None:
        return torch.distributions.Normal(z_mean, std).rsample()
    with torch.random.fork_rng():  # restores the global generator afterwards
        torch.manual_seed(seed)
        return torch.distributions.Normal(z_mean, std).rsample()
""",
    ),
    _right(
        "pytorch",
        "sampling",
        "torch.normal(0, 1, size=..., generator=...) for the noise alone",
        """
def sample_codings(z_mean, z_log_var, seed=None):
    generator = seed
    if seed is not None and not isinstance(seed, torch.Generator):
        generator = torch.Generator()
        generator.manual_seed(seed)
    noise = torch.normal(0.0, 1.0, size=tuple(z_mean.shape), generator=generator)
    return z_mean + noise * (0.5 * z_log_var).exp()
""",
    ),
    _right(
        "pytorch",
        "build_variational_encoder",
        "one Linear with 2 * codings_size outputs split in two, view() instead of Flatten",
        """
class VariationalEncoder(nn.Module):
    def __init__(self, codings_size):
        super().__init__()
        self.hidden_1 = nn.Linear(784, 150)
        self.hidden_2 = nn.Linear(150, 100)
        self.heads = nn.Linear(100, 2 * codings_size)  # the two heads side by side

    def forward(self, x, seed=None):
        hidden = F.relu(self.hidden_2(F.relu(self.hidden_1(x.view(len(x), -1)))))
        z_mean, z_log_var = self.heads(hidden).chunk(2, dim=1)
        return z_mean, z_log_var, sample_codings(z_mean, z_log_var, seed=seed)


def build_variational_encoder(codings_size):
    return VariationalEncoder(codings_size)
""",
    ),
    _right(
        "pytorch",
        "build_variational_encoder",
        "nn.ModuleDict heads, codings by keyword",
        """
def build_variational_encoder(codings_size):
    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Flatten(), nn.Linear(784, 150), nn.ReLU(),
                                      nn.Linear(150, 100), nn.ReLU())
            self.heads = nn.ModuleDict({"mean": nn.Linear(100, codings_size),
                                        "log_var": nn.Linear(100, codings_size)})

        def forward(self, x, seed=None):
            hidden = self.body(x)
            z_mean, z_log_var = self.heads["mean"](hidden), self.heads["log_var"](hidden)
            codings = sample_codings(z_mean=z_mean, z_log_var=z_log_var, seed=seed)
            return (z_mean, z_log_var, codings)

    return Encoder()
""",
    ),
    _right(
        "tensorflow",
        "sampling",
        "keras.random.normal with mean=z_mean and stddev=sigma",
        """
class Sampling(layers.Layer):
    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = (seed if isinstance(seed, keras.random.SeedGenerator)
                               else keras.random.SeedGenerator(seed))

    def call(self, inputs):
        z_mean, z_log_var = inputs
        return keras.random.normal(ops.shape(z_mean), mean=z_mean,
                                   stddev=ops.exp(0.5 * z_log_var), seed=self.seed_generator)
""",
    ),
    _right(
        "tensorflow",
        "sampling",
        "plain TensorFlow ops around the SeedGenerator",
        """
class Sampling(keras.layers.Layer):
    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(seed, keras.random.SeedGenerator):
            seed = keras.random.SeedGenerator(seed)
        self.seed_generator = seed

    def call(self, inputs):
        mean, log_var = inputs
        noise = keras.random.normal(tf.shape(mean), dtype=mean.dtype, seed=self.seed_generator)
        return mean + noise * tf.exp(log_var * 0.5)
""",
    ),
    _right(
        "tensorflow",
        "sampling",
        "the SeedGenerator made in build(), under another name",
        """
class Sampling(layers.Layer):
    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed

    def build(self, input_shape):
        self.noise = (self.seed if isinstance(self.seed, keras.random.SeedGenerator)
                      else keras.random.SeedGenerator(self.seed))

    def call(self, inputs):
        z_mean, z_log_var = inputs
        std = ops.exp(z_log_var * 0.5)
        return z_mean + std * keras.random.normal(ops.shape(std), seed=self.noise)
""",
    ),
    _right(
        "tensorflow",
        "build_variational_encoder",
        "one Dense with 2 * codings_size outputs split in two",
        """
def build_variational_encoder(codings_size):
    inputs = keras.Input(shape=(28, 28))
    x = layers.Dense(150, activation="relu")(layers.Flatten()(inputs))
    x = layers.Dense(100, activation="relu")(x)
    z_mean, z_log_var = ops.split(layers.Dense(2 * codings_size)(x), 2, axis=-1)
    codings = Sampling()([z_mean, z_log_var])
    return keras.Model(inputs=inputs, outputs=(z_mean, z_log_var, codings))
""",
    ),
    _right(
        "tensorflow",
        "build_variational_encoder",
        "a Sequential body with input_shape= (Keras warns), then functional heads",
        """
def build_variational_encoder(codings_size):
    body = keras.Sequential([
        layers.Flatten(input_shape=(28, 28)),
        layers.Dense(150, activation="relu"),
        layers.Dense(100, activation="relu"),
    ])
    inputs = keras.Input(shape=(28, 28))
    hidden = body(inputs)
    z_mean = layers.Dense(codings_size)(hidden)
    z_log_var = layers.Dense(codings_size)(hidden)
    return keras.Model(inputs, [z_mean, z_log_var, Sampling()([z_mean, z_log_var])])
""",
    ),
]

"""Realistic wrong answers for 04-generation, both tracks.

Each ``code`` replaces the whole answer cell with that ``grade_id``; the names of the notebook's
setup cell (np, torch, nn, plots, vaecourse / keras, layers, ops, tf, np, plots, vaecourse) and of
the cells before the answer (X_train, X_valid, sample_codings / Sampling, vae_loss) are available
to it. The wrong trainings train briefly (a second or two each): their mistakes show long before
the notebook's 15 epochs. The training written differently (``ALTERNATIVES``) trains fully.
"""

from __future__ import annotations

from wrong_answers import reference_only, right_answers_of, wrong_answers_of

A = "04-generation"


_torch = wrong_answers_of(A, "pytorch")
_keras = wrong_answers_of(A, "tensorflow")


# --------------------------------------------------------------------------------------------
# PyTorch track
# --------------------------------------------------------------------------------------------

_TORCH_TRAIN = """
class VariationalEncoder(nn.Module):
    def __init__(self, codings_size):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Flatten(), nn.Linear(784, {h1}), nn.ReLU(), nn.Linear({h1}, {h2}), nn.ReLU(),
            nn.Linear({h2}, 2 * codings_size))  # both heads in one layer

    def forward(self, x, seed=None):
        z_mean, z_log_var = self.layers(x).chunk(2, dim=1)
        return z_mean, z_log_var, {codings}


class VAE(nn.Module):
    def __init__(self, codings_size=10):
        super().__init__()
        self.encoder = VariationalEncoder(codings_size)
        self.decoder = nn.Sequential(
            nn.Linear(codings_size, {h2}), nn.ReLU(), nn.Linear({h2}, {h1}), nn.ReLU(),
            nn.Linear({h1}, 784){decoder_end}, nn.Unflatten(1, (28, 28)))

    def forward(self, x, seed=None):
        z_mean, z_log_var, codings = self.encoder(x, seed)
        return self.decoder(codings), z_mean, z_log_var


def train_vae(x_train, x_valid, epochs, batch_size=128, learning_rate=1e-3, seed=42):
    torch.manual_seed(seed)
    vae = VAE()
    optimizer = torch.optim.Adam(vae.parameters(), lr=learning_rate)
    generator = torch.Generator().manual_seed(seed)
    history = {{"loss": []}}
    for epoch in range(epochs):
        shuffled = x_train[torch.randperm(len(x_train), generator=generator)]
        for batch in shuffled.split(batch_size):
            logits, z_mean, z_log_var = vae(batch, seed=generator)
            loss = {loss}
            optimizer.zero_grad()
            loss.backward()
            {step}
        history["loss"].append(loss.item())
    return vae.eval(), history


vae, history = train_vae({x_train}, X_valid, epochs={epochs})
"""

_TORCH_LOSS = "vae_loss(batch, logits, z_mean, z_log_var)"
_TORCH_KL = "-0.5 * (1 + z_log_var - z_log_var.exp() - z_mean ** 2).sum(dim=1)"


def _torch_train(
    loss=_TORCH_LOSS,
    step="optimizer.step()",
    codings="sample_codings(z_mean, z_log_var, seed)",
    decoder_end="",
    hidden=(150, 100),
    x_train="X_train[:10_000]",
    epochs=1,
) -> str:
    return _TORCH_TRAIN.format(
        loss=loss,
        step=step,
        codings=codings,
        decoder_end=decoder_end,
        h1=hidden[0],
        h2=hidden[1],
        x_train=x_train,
        epochs=epochs,
    )


_TORCH_GENERATE = """
def generate(decoder, n, codings_size, seed):
    generator = torch.Generator().manual_seed(seed)
    codings = {codings}
    with torch.no_grad():
        return {images}
"""


def _torch_generate(
    codings="torch.randn(n, codings_size, generator=generator)",
    images="torch.sigmoid(decoder(codings)).numpy()",
) -> str:
    return _TORCH_GENERATE.format(codings=codings, images=images)


def _torch_interpolate(t: str) -> str:
    return f"""
def interpolate(z_start, z_end, steps):
    t = ({t})[:, None]
    return (1 - t) * z_start + t * z_end
"""


TORCH = [
    # train_vae
    _torch(
        "train_vae",
        "trained without the KL term (beta = 0)",
        _torch_train(loss="vae_loss(batch, logits, z_mean, z_log_var, beta=0.0)"),
        "the latent loss barely acted",
    ),
    _torch(
        "train_vae",
        "the cross-entropy averaged over the pixels (beta 784 times too large)",
        _torch_train(
            loss="(nn.functional.binary_cross_entropy_with_logits(logits, batch, "
            f'reduction="none").mean(dim=(1, 2)) + {_TORCH_KL}).mean()',
            x_train="X_train[:20_000]",
            epochs=2,
        ),
        "posterior collapse",
    ),
    _torch(
        "train_vae",
        "optimizer.step() forgotten: the model never changes",
        _torch_train(step="pass", x_train="X_train[:2_000]"),
        "looks untrained",
    ),
    _torch(
        "train_vae",
        "barely trained: one epoch on 5,000 images",
        _torch_train(x_train="X_train[:5_000]"),
        "looks undertrained",
    ),
    _torch(
        "train_vae",
        "a sigmoid at the end of the decoder",
        _torch_train(decoder_end=", nn.Sigmoid()", x_train="X_train[:2_000]"),
        "they look like probabilities, not logits",
    ),
    _torch(
        "train_vae",
        "the hidden layers in the wrong order (100 then 150 units)",
        _torch_train(hidden=(100, 150), x_train="X_train[:2_000]"),
        "trainable weights",
    ),
    _torch(
        "train_vae",
        "the encoder returns z_mean as the codings (no sampling)",
        _torch_train(codings="z_mean", x_train="X_train[:2_000]"),
        "it does not sample",
    ),
    # generate
    _torch(
        "generate",
        "returns the logits (no sigmoid)",
        _torch_generate(images="decoder(codings).numpy()"),
        "apply a sigmoid",
    ),
    _torch(
        "generate",
        "uniform codings (torch.rand)",
        _torch_generate(codings="torch.rand(n, codings_size, generator=generator)"),
        "uniform in [0, 1)",
    ),
    _torch(
        "generate",
        "one coding for every image",
        _torch_generate(codings="torch.randn(1, codings_size, generator=generator).repeat(n, 1)"),
        "every row is the same coding",
    ),
    _torch(
        "generate",
        "the seed is ignored",
        _torch_generate(codings="torch.randn(n, codings_size)"),
        "the seed is ignored",
    ),
    _torch(
        "generate",
        "returns a tensor",
        _torch_generate(images="torch.sigmoid(decoder(codings))"),
        "return a NumPy array",
    ),
    # interpolate
    _torch(
        "interpolate",
        "the end point is left out (arange / steps)",
        _torch_interpolate("torch.arange(steps, dtype=torch.float32) / steps"),
        "the end point z_end is missing",
    ),
    _torch(
        "interpolate",
        "from z_end to z_start",
        _torch_interpolate("torch.linspace(1, 0, steps)"),
        "the order is reversed",
        tampered=True,
    ),
    _torch(
        "interpolate",
        "z_start + t * z_end",
        """
def interpolate(z_start, z_end, steps):
    return z_start + torch.linspace(0, 1, steps)[:, None] * z_end
""",
        "the fractions multiply z_end alone",
    ),
    _torch(
        "interpolate",
        "one step too many",
        _torch_interpolate("torch.linspace(0, 1, steps + 1)"),
        "One row per step",
    ),
]


# --------------------------------------------------------------------------------------------
# TensorFlow track
# --------------------------------------------------------------------------------------------

_KERAS_TRAIN = """
class Encoder(keras.Model):
    def __init__(self, codings_size, seed=None):
        super().__init__()
        self.body = keras.Sequential([
            layers.Flatten(), layers.Dense({h1}, activation="relu"),
            layers.Dense({h2}, activation="relu"), layers.Dense(2 * codings_size)])
        self.sampling = Sampling(seed=seed)

    def call(self, x):
        z_mean, z_log_var = ops.split(self.body(x), 2, axis=-1)  # both heads in one layer
        return z_mean, z_log_var, {codings}


def decoder(codings_size):
    return keras.Sequential([
        keras.Input(shape=(codings_size,)), layers.Dense({h2}, activation="relu"),
        layers.Dense({h1}, activation="relu"), layers.Dense(784{decoder_end}),
        layers.Reshape((28, 28))])


class VAE(keras.Model):
    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder, self.decoder = encoder, decoder
        self.loss_tracker = keras.metrics.Mean(name="loss")

    @property
    def metrics(self):
        return [self.loss_tracker]

    def train_step(self, x):
        with tf.GradientTape() as tape:
            z_mean, z_log_var, codings = self.encoder(x, training=True)
            logits = self.decoder(codings, training=True)
            loss = {loss}
        gradients = tape.gradient(loss, self.trainable_weights)
        {step}
        self.loss_tracker.update_state(loss)
        return {{"loss": self.loss_tracker.result()}}


def train_vae(x_train, x_valid, epochs, batch_size=128, learning_rate=1e-3, seed=42):
    keras.utils.set_random_seed(seed)
    vae = VAE(Encoder(10, seed), decoder(10))
    vae.compile(optimizer=keras.optimizers.Adam(learning_rate))
    batches = tf.data.Dataset.from_tensor_slices(x_train).shuffle(len(x_train), seed=seed)
    return vae, vae.fit(batches.batch(batch_size), epochs=epochs, verbose=0).history


vae, history = train_vae({x_train}, X_valid, epochs={epochs})
"""

_KERAS_LOSS = "vae_loss(x, logits, z_mean, z_log_var)"
_KERAS_KL = "-0.5 * ops.sum(1 + z_log_var - ops.exp(z_log_var) - ops.square(z_mean), axis=1)"


def _keras_train(
    loss=_KERAS_LOSS,
    step="self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))",
    codings="self.sampling([z_mean, z_log_var])",
    decoder_end="",
    hidden=(150, 100),
    x_train="X_train[:10_000]",
    epochs=1,
) -> str:
    return _KERAS_TRAIN.format(
        loss=loss,
        step=step,
        codings=codings,
        decoder_end=decoder_end,
        h1=hidden[0],
        h2=hidden[1],
        x_train=x_train,
        epochs=epochs,
    )


_KERAS_GENERATE = """
def generate(decoder, n, codings_size, seed):
    codings = {codings}
    return {images}
"""


def _keras_generate(
    codings="keras.random.normal((n, codings_size), seed=seed)",
    images="ops.convert_to_numpy(ops.sigmoid(decoder(codings)))",
) -> str:
    return _KERAS_GENERATE.format(codings=codings, images=images)


def _keras_interpolate(t: str) -> str:
    return f"""
def interpolate(z_start, z_end, steps):
    t = ({t})[:, None]
    z_start = ops.convert_to_tensor(z_start, "float32")
    z_end = ops.convert_to_tensor(z_end, "float32")
    return (1 - t) * z_start + t * z_end
"""


KERAS = [
    # train_vae
    _keras(
        "train_vae",
        "trained without the KL term (beta = 0)",
        _keras_train(loss="vae_loss(x, logits, z_mean, z_log_var, beta=0.0)"),
        "the latent loss barely acted",
    ),
    _keras(
        "train_vae",
        "the cross-entropy averaged over the pixels (beta 784 times too large)",
        _keras_train(
            loss="ops.mean(ops.mean(ops.binary_crossentropy(x, logits, from_logits=True), "
            f"axis=(1, 2)) + {_KERAS_KL})",
            x_train="X_train[:20_000]",
            epochs=2,
        ),
        "posterior collapse",
    ),
    _keras(
        "train_vae",
        "the gradients are never applied: the model never changes",
        _keras_train(step="pass", x_train="X_train[:2_000]"),
        "looks untrained",
    ),
    _keras(
        "train_vae",
        "barely trained: one epoch on 5,000 images",
        _keras_train(x_train="X_train[:5_000]"),
        "looks undertrained",
    ),
    _keras(
        "train_vae",
        "a sigmoid at the end of the decoder",
        _keras_train(decoder_end=', activation="sigmoid"', x_train="X_train[:2_000]"),
        "they look like probabilities, not logits",
    ),
    _keras(
        "train_vae",
        "the hidden layers in the wrong order (100 then 150 units)",
        _keras_train(hidden=(100, 150), x_train="X_train[:2_000]"),
        "trainable weights",
    ),
    _keras(
        "train_vae",
        "the encoder returns z_mean as the codings (no sampling)",
        _keras_train(codings="z_mean", x_train="X_train[:2_000]"),
        "it does not sample",
    ),
    # generate
    _keras(
        "generate",
        "returns the logits (no sigmoid)",
        _keras_generate(images="ops.convert_to_numpy(decoder(codings))"),
        "apply a sigmoid",
    ),
    _keras(
        "generate",
        "uniform codings (keras.random.uniform)",
        _keras_generate(codings="keras.random.uniform((n, codings_size), seed=seed)"),
        "uniform in [0, 1)",
    ),
    _keras(
        "generate",
        "one coding for every image",
        _keras_generate(
            codings="ops.repeat(keras.random.normal((1, codings_size), seed=seed), n, axis=0)"
        ),
        "every row is the same coding",
    ),
    _keras(
        "generate",
        "the seed is ignored",
        _keras_generate(codings="keras.random.normal((n, codings_size))"),
        "the seed is ignored",
    ),
    _keras(
        "generate",
        "returns a tensor",
        _keras_generate(images="ops.sigmoid(decoder(codings))"),
        "return a NumPy array",
    ),
    # interpolate
    _keras(
        "interpolate",
        "the end point is left out (arange / steps)",
        _keras_interpolate('ops.arange(steps, dtype="float32") / steps'),
        "the end point z_end is missing",
    ),
    _keras(
        "interpolate",
        "from z_end to z_start",
        _keras_interpolate("ops.linspace(1.0, 0.0, steps)"),
        "the order is reversed",
        tampered=True,
    ),
    _keras(
        "interpolate",
        "z_start + t * z_end",
        """
def interpolate(z_start, z_end, steps):
    return z_start + np.linspace(0, 1, steps)[:, None] * z_end
""",
        "the fractions multiply z_end alone",
    ),
    _keras(
        "interpolate",
        "one step too many",
        _keras_interpolate("ops.linspace(0.0, 1.0, steps + 1)"),
        "One row per step",
    ),
]


# --------------------------------------------------------------------------------------------
# latent_grid: NumPy only, the same code in both tracks
# --------------------------------------------------------------------------------------------

_GRID = """
from statistics import NormalDist


def latent_grid(n, kind="gaussian", scale=None):
    if kind == "gaussian":
        scale = 1.0 if scale is None else scale
        values = {gaussian}
    else:
        scale = 2.0 if scale is None else scale
        values = np.linspace(-scale, scale, n)
    ys, xs = {meshgrid}
    return {stack}
"""


def _grid(
    gaussian="np.array([NormalDist().inv_cdf(p) for p in np.linspace(0.05, 0.95, n)]) * scale",
    meshgrid='np.meshgrid(values[::-1], values, indexing="ij")',
    stack="np.stack([xs.ravel(), ys.ravel()], axis=1)",
) -> str:
    return _GRID.format(gaussian=gaussian, meshgrid=meshgrid, stack=stack)


_GRID_MISTAKES = [
    (
        "x and y columns swapped",
        _grid(stack="np.stack([ys.ravel(), xs.ravel()], axis=1)"),
        "the two columns are swapped",
    ),
    (
        "the first row is the bottom one (y increasing)",
        _grid(meshgrid='np.meshgrid(values, values, indexing="ij")'),
        "the rows run from low y to high y",
    ),
    (
        "evenly spaced values for the Gaussian grid",
        _grid(gaussian="np.linspace(-scale, scale, n)"),
        "evenly spaced values instead of standard-normal quantiles",
    ),
    (
        "quantiles of 0 and 1 (infinite)",
        "from scipy.stats import norm\n" + _grid(gaussian="norm.ppf(np.linspace(0, 1, n)) * scale"),
        "inf or NaN",
    ),
    (
        "the scale of the Gaussian grid ignored",
        _grid(gaussian="np.array([NormalDist().inv_cdf(p) for p in np.linspace(0.05, 0.95, n)])"),
        "the scale is not applied",
    ),
]

GRID = [
    make("latent_grid", mistake, code, message)
    for make in (_torch, _keras)
    for mistake, code, message in _GRID_MISTAKES
]

# Answers that only hand their work to vaecourse's reference code: they must earn nothing.
_REFERENCE_GRID = """
from vaecourse.plots import latent_grid as reference_grid


def latent_grid(n, kind="gaussian", scale=None):
    return reference_grid(n, kind, scale)
"""

REFERENCE_ONLY = [
    reference_only(
        A,
        "pytorch",
        "train_vae",
        """
vae = vaecourse.torch.DenseVAE()
history = vaecourse.torch.fit(vae, X_train[:2_000], epochs=1, progress=False)
""",
    ),
    reference_only(
        A,
        "tensorflow",
        "train_vae",
        """
vae = vaecourse.keras.build_dense_vae()
history = vaecourse.keras.fit(vae, X_train[:2_000], epochs=1, progress=False)
""",
    ),
    *(reference_only(A, t, "latent_grid", _REFERENCE_GRID) for t in ("pytorch", "tensorflow")),
]

CATALOGUE = TORCH + KERAS + GRID + REFERENCE_ONLY


# --------------------------------------------------------------------------------------------
# Right answers written differently from the solution: each must keep every point
# --------------------------------------------------------------------------------------------

_right = right_answers_of(A)

_GRID_ALTERNATIVE = """
from itertools import product

from scipy.stats import norm


def latent_grid(n, kind="gaussian", scale=None):
    if kind == "gaussian":
        values = norm.ppf(np.linspace(0.05, 0.95, n)) * (1.0 if scale is None else scale)
    else:
        half_width = 2.0 if scale is None else scale
        values = np.linspace(-half_width, half_width, n)
    return np.array([(x, y) for y, x in product(values[::-1], values)])
"""

ALTERNATIVES = [
    _right(
        "pytorch",
        "train_vae",
        "both heads in one layer, a shuffled copy split into batches, a shorter history",
        _torch_train(x_train="X_train", epochs=15),
    ),
    _right(
        "pytorch",
        "generate",
        "NumPy codings, inference_mode, decoded in chunks, torch.special.expit",
        """
def generate(decoder, n, codings_size, seed):
    codings = np.random.default_rng(seed).standard_normal((n, codings_size), dtype=np.float32)
    with torch.inference_mode():
        logits = torch.cat([decoder(chunk) for chunk in torch.from_numpy(codings).split(500)])
    return torch.special.expit(logits).numpy()
""",
    ),
    _right(
        "pytorch",
        "interpolate",
        "torch.lerp",
        """
def interpolate(z_start, z_end, steps):
    return torch.lerp(z_start, z_end, torch.linspace(0, 1, steps)[:, None])
""",
    ),
    _right(
        "tensorflow",
        "train_vae",
        "a subclassed encoder with both heads in one layer, tf.data batches, one tracker",
        _keras_train(x_train="X_train", epochs=15),
    ),
    _right(
        "tensorflow",
        "generate",
        "NumPy codings, tf.sigmoid, np.asarray",
        """
def generate(decoder, n, codings_size, seed):
    codings = np.random.default_rng(seed).standard_normal((n, codings_size)).astype(np.float32)
    return np.asarray(tf.sigmoid(decoder(codings)))
""",
    ),
    _right(
        "tensorflow",
        "interpolate",
        "a NumPy list of rows",
        """
def interpolate(z_start, z_end, steps):
    z_start, z_end = np.asarray(z_start), np.asarray(z_end)
    rows = [z_start + t * (z_end - z_start) for t in np.linspace(0, 1, steps)]
    return np.stack(rows).astype(np.float32)
""",
    ),
    *(
        _right(track, "latent_grid", "scipy's norm.ppf and itertools.product", _GRID_ALTERNATIVE)
        for track in ("pytorch", "tensorflow")
    ),
]

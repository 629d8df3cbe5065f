"""Realistic wrong answers for 01-autoencoders, both tracks.

Each ``code`` replaces the whole answer cell with that ``grade_id``; the names imported by the
notebook's setup cell (np, torch, nn, F / keras, layers, ops, tf) are available to it.
"""

from __future__ import annotations

from wrong_answers import reference_only, right_answers_of, wrong_answers_of

A = "01-autoencoders"


_torch = wrong_answers_of(A, "pytorch")
_keras = wrong_answers_of(A, "tensorflow")


# --------------------------------------------------------------------------------------------
# PyTorch track
# --------------------------------------------------------------------------------------------

_TORCH_AUTOENCODER = """
def build_autoencoder(codings_size):
    class Autoencoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Sequential(
                {encoder})
            self.decoder = nn.Sequential(
                {decoder})

        def encode(self, x):
            {encode}

        def decode(self, codings):
            {decode}

        def forward(self, x):
            return self.decoder(self.encoder(x))

    return Autoencoder()
"""

_TORCH_ENCODER = "nn.Flatten(), nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, codings_size)"
_TORCH_DECODER = (
    "nn.Linear(codings_size, 100), nn.ReLU(), nn.Linear(100, 784), nn.Unflatten(1, (28, 28))"
)


def _torch_autoencoder(
    encoder=_TORCH_ENCODER,
    decoder=_TORCH_DECODER,
    encode="return self.encoder(x)",
    decode="return torch.sigmoid(self.decoder(codings))",
) -> str:
    return _TORCH_AUTOENCODER.format(encoder=encoder, decoder=decoder, encode=encode, decode=decode)


TORCH = [
    # reconstruction_mse
    _torch(
        "reconstruction_mse",
        "mean over pixels instead of sum",
        """
def reconstruction_mse(x, x_hat):
    return ((x - x_hat) ** 2).flatten(start_dim=1).mean(dim=1)
""",
        "the mean over pixels instead of the sum",
    ),
    _torch(
        "reconstruction_mse",
        "absolute error instead of squared error",
        """
def reconstruction_mse(x, x_hat):
    return (x - x_hat).abs().flatten(start_dim=1).sum(dim=1)
""",
        "the absolute error |x - x_hat| instead of the squared error",
    ),
    _torch(
        "reconstruction_mse",
        "summed over the batch too (a scalar)",
        """
def reconstruction_mse(x, x_hat):
    return ((x - x_hat) ** 2).sum()
""",
        "summed over the batch too",
    ),
    _torch(
        "reconstruction_mse",
        "summed over the last axis only, shape (N, 28)",
        """
def reconstruction_mse(x, x_hat):
    return ((x - x_hat) ** 2).sum(dim=-1)
""",
        "Sum the squared differences over all the pixels of each example",
    ),
    _torch(
        "reconstruction_mse",
        "L2 distance (square root of the sum)",
        """
def reconstruction_mse(x, x_hat):
    return torch.linalg.vector_norm((x - x_hat).flatten(start_dim=1), dim=1)
""",
        "the square root of the sum",
    ),
    _torch(
        "reconstruction_mse",
        "nn.MSELoss with its default mean reduction (a scalar)",
        """
def reconstruction_mse(x, x_hat):
    return nn.MSELoss()(x_hat, x)
""",
        "expected shape (2,), got ()",
    ),
    _torch(
        "reconstruction_mse",
        "computed in NumPy, returns an array",
        """
def reconstruction_mse(x, x_hat):
    diff = x.detach().numpy() - x_hat.detach().numpy()
    return (diff ** 2).reshape(len(diff), -1).sum(axis=1)
""",
        "should return a torch.Tensor",
    ),
    _torch(
        "reconstruction_mse",
        "computed in NumPy and turned back into a tensor: no gradient",
        """
def reconstruction_mse(x, x_hat):
    diff = x.detach().numpy() - x_hat.detach().numpy()
    return torch.from_numpy((diff ** 2).reshape(len(diff), -1).sum(axis=1))
""",
        "Gradients cannot flow through reconstruction_mse",
    ),
    # reconstruction_bce
    _torch(
        "reconstruction_bce",
        "naive log(sigmoid): inf/NaN for large logits",
        """
def reconstruction_bce(x, logits):
    p = torch.sigmoid(logits)
    per_pixel = -(x * torch.log(p) + (1 - x) * torch.log(1 - p))
    return per_pixel.flatten(start_dim=1).sum(dim=1)
""",
        "not numerically stable",
        tampered=True,
    ),
    _torch(
        "reconstruction_bce",
        "arguments swapped (x used as logits)",
        """
def reconstruction_bce(x, logits):
    per_pixel = F.binary_cross_entropy_with_logits(x, logits, reduction="none")
    return per_pixel.flatten(start_dim=1).sum(dim=1)
""",
        "the arguments are swapped",
    ),
    _torch(
        "reconstruction_bce",
        "mean over pixels instead of sum",
        """
def reconstruction_bce(x, logits):
    per_pixel = F.binary_cross_entropy_with_logits(logits, x, reduction="none")
    return per_pixel.flatten(start_dim=1).mean(dim=1)
""",
        "the mean over pixels instead of the sum",
    ),
    _torch(
        "reconstruction_bce",
        "sign flipped (the log-likelihood, not its negative)",
        """
def reconstruction_bce(x, logits):
    log_likelihood = x * F.logsigmoid(logits) + (1 - x) * F.logsigmoid(-logits)
    return log_likelihood.flatten(start_dim=1).sum(dim=1)
""",
        "the sign is flipped",
    ),
    _torch(
        "reconstruction_bce",
        "probabilities clipped to [1e-7, 1 - 1e-7]",
        """
def reconstruction_bce(x, logits):
    p = torch.sigmoid(logits).clamp(1e-7, 1 - 1e-7)
    per_pixel = -(x * torch.log(p) + (1 - x) * torch.log(1 - p))
    return per_pixel.flatten(start_dim=1).sum(dim=1)
""",
        "as if the probabilities were clipped",
    ),
    _torch(
        "reconstruction_bce",
        "built-in with its default mean reduction (a scalar)",
        """
def reconstruction_bce(x, logits):
    return F.binary_cross_entropy_with_logits(logits, x)
""",
        "expected shape (3,), got ()",
    ),
    reference_only(
        A,
        "pytorch",
        "reconstruction_bce",
        """
from vaecourse.torch import reconstruction_bce as reference_bce


def reconstruction_bce(x, logits):
    return reference_bce(x, logits)
""",
    ),
    reference_only(
        A,
        "pytorch",
        "reconstruction_mse",
        """
import vaecourse.torch


def reconstruction_mse(x, x_hat):
    return vaecourse.torch.reconstruction_mse(x, x_hat)
""",
    ),
    _torch(
        "reconstruction_bce",
        "torch.where between two formulas: finite loss, NaN gradient",
        """
def reconstruction_bce(x, logits):
    positive = logits - logits * x + torch.log1p(torch.exp(-logits))
    negative = -logits * x + torch.log1p(torch.exp(logits))
    per_pixel = torch.where(logits >= 0, positive, negative)
    return per_pixel.flatten(start_dim=1).sum(dim=1)
""",
        "The gradient of reconstruction_bce has inf or NaN values",
    ),
    _torch(
        "reconstruction_bce",
        "computed in NumPy and turned back into a tensor: no gradient",
        """
def reconstruction_bce(x, logits):
    x, logits = x.detach().numpy(), logits.detach().numpy()
    per_pixel = np.maximum(logits, 0) - logits * x + np.log1p(np.exp(-np.abs(logits)))
    return torch.from_numpy(per_pixel.reshape(len(x), -1).sum(axis=1))
""",
        "Gradients cannot flow through reconstruction_bce",
    ),
    # build_autoencoder
    _torch(
        "build_autoencoder",
        "codings_size ignored (always 30 codings)",
        _torch_autoencoder(
            encoder="nn.Flatten(), nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 30)",
            decoder="nn.Linear(30, 100), nn.ReLU(), nn.Linear(100, 784), nn.Unflatten(1, (28, 28))",
        ),
        "Use the codings_size argument",
    ),
    _torch(
        "build_autoencoder",
        "not undercomplete: 784 codings",
        _torch_autoencoder(
            encoder="nn.Flatten(), nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 784)",
            decoder=(
                "nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 784), nn.Unflatten(1, (28, 28))"
            ),
        ),
        "not undercomplete",
    ),
    _torch(
        "build_autoencoder",
        "encoder does not flatten the images",
        _torch_autoencoder(
            encoder="nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, codings_size)",
        ),
        "flatten each image",
    ),
    _torch(
        "build_autoencoder",
        "sigmoid inside the decoder: forward returns probabilities",
        _torch_autoencoder(
            decoder=(
                "nn.Linear(codings_size, 100), nn.ReLU(), nn.Linear(100, 784), "
                "nn.Sigmoid(), nn.Unflatten(1, (28, 28))"
            ),
            decode="return self.decoder(codings)",
        ),
        "should return logits",
    ),
    _torch(
        "build_autoencoder",
        "sigmoid inside the decoder and again in decode",
        _torch_autoencoder(
            decoder=(
                "nn.Linear(codings_size, 100), nn.ReLU(), nn.Linear(100, 784), "
                "nn.Sigmoid(), nn.Unflatten(1, (28, 28))"
            ),
        ),
        "should return logits",
    ),
    _torch(
        "build_autoencoder",
        "decode returns logits (no sigmoid)",
        _torch_autoencoder(
            decode="return self.decoder(codings)",
        ),
        "decode(codings) should return probabilities",
    ),
    _torch(
        "build_autoencoder",
        "decoder output not reshaped to (N, 28, 28)",
        _torch_autoencoder(
            decoder="nn.Linear(codings_size, 100), nn.ReLU(), nn.Linear(100, 784)",
        ),
        "Reshape the decoder's 784 outputs",
    ),
    _torch(
        "build_autoencoder",
        "noise added to the codings at inference (VAE-like)",
        _torch_autoencoder(
            encode=(
                "codings = self.encoder(x)\n"
                "            return codings + 0.1 * torch.randn_like(codings)"
            ),
        ),
        "not deterministic",
    ),
    _torch(
        "build_autoencoder",
        "layers kept in a plain Python list (no parameters registered)",
        """
def build_autoencoder(codings_size):
    class Autoencoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder_layers = [nn.Flatten(), nn.Linear(784, 100), nn.ReLU(),
                                   nn.Linear(100, codings_size)]
            self.decoder_layers = [nn.Linear(codings_size, 100), nn.ReLU(),
                                   nn.Linear(100, 784), nn.Unflatten(1, (28, 28))]

        def encode(self, x):
            for layer in self.encoder_layers:
                x = layer(x)
            return x

        def logits(self, codings):
            for layer in self.decoder_layers:
                codings = layer(codings)
            return codings

        def decode(self, codings):
            return torch.sigmoid(self.logits(codings))

        def forward(self, x):
            return self.logits(self.encode(x))

    return Autoencoder()
""",
        "no trainable parameters",
    ),
    # is_repeatable
    _torch(
        "is_repeatable",
        "compares one output with itself (always True)",
        """
def is_repeatable(model, x):
    with torch.no_grad():
        output = model(x)
    return bool(torch.equal(output, output))
""",
        "was reported as repeatable",
    ),
    _torch(
        "is_repeatable",
        "re-seeds the generator before each call",
        """
def is_repeatable(model, x):
    with torch.no_grad():
        torch.manual_seed(0)
        first = model(x)
        torch.manual_seed(0)
        second = model(x)
    return bool(torch.equal(first, second))
""",
        "was reported as repeatable",
    ),
    _torch(
        "is_repeatable",
        "compares with a tolerance (allclose)",
        """
def is_repeatable(model, x):
    with torch.no_grad():
        first = model(x)
        second = model(x)
    return torch.allclose(first, second)
""",
        "not with a tolerance",
    ),
    _torch(
        "is_repeatable",
        "returns a tensor instead of a bool",
        """
def is_repeatable(model, x):
    with torch.no_grad():
        first = model(x)
        second = model(x)
    return (first == second).all()
""",
        "should return a Python bool",
    ),
]

# --------------------------------------------------------------------------------------------
# TensorFlow (Keras 3) track
# --------------------------------------------------------------------------------------------

_KERAS_AUTOENCODER = """
def build_autoencoder(codings_size):
    encoder = keras.Sequential([
        keras.Input(shape=(28, 28)),
        {encoder}
    ])
    decoder = keras.Sequential([
        keras.Input(shape=({coding_input},)),
        {decoder}
    ])
    autoencoder = keras.Sequential([encoder, decoder])
    return encoder, decoder, autoencoder
"""

_KERAS_ENCODER = (
    'layers.Flatten(), layers.Dense(100, activation="relu"), layers.Dense(codings_size),'
)
_KERAS_DECODER = (
    'layers.Dense(100, activation="relu"), layers.Dense(784), layers.Reshape((28, 28)),'
)


def _keras_autoencoder(
    encoder=_KERAS_ENCODER, decoder=_KERAS_DECODER, coding_input="codings_size"
) -> str:
    return _KERAS_AUTOENCODER.format(encoder=encoder, decoder=decoder, coding_input=coding_input)


KERAS = [
    # reconstruction_mse
    _keras(
        "reconstruction_mse",
        "mean over pixels instead of sum",
        """
def reconstruction_mse(x, x_hat):
    return ops.mean(ops.square(x - x_hat), axis=(1, 2))
""",
        "the mean over pixels instead of the sum",
    ),
    _keras(
        "reconstruction_mse",
        "absolute error instead of squared error",
        """
def reconstruction_mse(x, x_hat):
    return ops.sum(ops.abs(x - x_hat), axis=(1, 2))
""",
        "the absolute error |x - x_hat| instead of the squared error",
    ),
    _keras(
        "reconstruction_mse",
        "summed over the batch too (a scalar)",
        """
def reconstruction_mse(x, x_hat):
    return ops.sum(ops.square(x - x_hat))
""",
        "summed over the batch too",
    ),
    _keras(
        "reconstruction_mse",
        "keras.losses.mean_squared_error: mean over the last axis only",
        """
def reconstruction_mse(x, x_hat):
    return keras.losses.mean_squared_error(x, x_hat)
""",
        "Sum the squared differences over all the pixels of each example",
    ),
    _keras(
        "reconstruction_mse",
        "L2 distance (square root of the sum)",
        """
def reconstruction_mse(x, x_hat):
    return ops.sqrt(ops.sum(ops.square(x - x_hat), axis=(1, 2)))
""",
        "the square root of the sum",
    ),
    _keras(
        "reconstruction_mse",
        "computed in NumPy, returns an array",
        """
def reconstruction_mse(x, x_hat):
    diff = np.asarray(x) - np.asarray(x_hat)
    return (diff ** 2).reshape(len(diff), -1).sum(axis=1)
""",
        "should return a tensor",
    ),
    _keras(
        "reconstruction_mse",
        "computed in NumPy and turned back into a tensor: no gradient",
        """
def reconstruction_mse(x, x_hat):
    diff = np.asarray(x) - np.asarray(x_hat)
    return ops.convert_to_tensor((diff ** 2).reshape(len(diff), -1).sum(axis=1))
""",
        "Gradients cannot flow through reconstruction_mse",
    ),
    # reconstruction_bce
    _keras(
        "reconstruction_bce",
        "naive log(sigmoid): inf/NaN for large logits",
        """
def reconstruction_bce(x, logits):
    p = ops.sigmoid(logits)
    per_pixel = -(x * ops.log(p) + (1 - x) * ops.log(1 - p))
    return ops.sum(per_pixel, axis=(1, 2))
""",
        "not numerically stable",
        tampered=True,
    ),
    _keras(
        "reconstruction_bce",
        "arguments swapped (x used as logits)",
        """
def reconstruction_bce(x, logits):
    return ops.sum(ops.binary_crossentropy(logits, x, from_logits=True), axis=(1, 2))
""",
        "the arguments are swapped",
    ),
    _keras(
        "reconstruction_bce",
        "mean over pixels instead of sum",
        """
def reconstruction_bce(x, logits):
    return ops.mean(ops.binary_crossentropy(x, logits, from_logits=True), axis=(1, 2))
""",
        "the mean over pixels instead of the sum",
    ),
    _keras(
        "reconstruction_bce",
        "sign flipped (the log-likelihood, not its negative)",
        """
def reconstruction_bce(x, logits):
    return -ops.sum(ops.binary_crossentropy(x, logits, from_logits=True), axis=(1, 2))
""",
        "the sign is flipped",
    ),
    _keras(
        "reconstruction_bce",
        "probabilities clipped to [1e-7, 1 - 1e-7]",
        """
def reconstruction_bce(x, logits):
    p = ops.clip(ops.sigmoid(logits), 1e-7, 1 - 1e-7)
    per_pixel = -(x * ops.log(p) + (1 - x) * ops.log(1 - p))
    return ops.sum(per_pixel, axis=(1, 2))
""",
        "as if the probabilities were clipped",
    ),
    _keras(
        "reconstruction_bce",
        "from_logits forgotten: logits used as probabilities",
        """
def reconstruction_bce(x, logits):
    return ops.sum(ops.binary_crossentropy(x, logits), axis=(1, 2))
""",
        "logits were used as probabilities",
    ),
    _keras(
        "reconstruction_bce",
        "keras.losses.binary_crossentropy averages the last axis",
        """
def reconstruction_bce(x, logits):
    return ops.sum(keras.losses.binary_crossentropy(x, logits, from_logits=True), axis=1)
""",
        "averages over the last axis",
    ),
    reference_only(
        A,
        "tensorflow",
        "reconstruction_bce",
        """
from vaecourse.keras import reconstruction_bce as reference_bce


def reconstruction_bce(x, logits):
    return reference_bce(x, logits)
""",
    ),
    reference_only(
        A,
        "tensorflow",
        "reconstruction_mse",
        """
import vaecourse.keras


def reconstruction_mse(x, x_hat):
    return vaecourse.keras.reconstruction_mse(x, x_hat)
""",
    ),
    _keras(
        "reconstruction_bce",
        "ops.where between two formulas: finite loss, NaN gradient",
        """
def reconstruction_bce(x, logits):
    positive = logits - logits * x + ops.log1p(ops.exp(-logits))
    negative = -logits * x + ops.log1p(ops.exp(logits))
    per_pixel = ops.where(logits >= 0, positive, negative)
    return ops.sum(per_pixel, axis=(1, 2))
""",
        "The gradient of reconstruction_bce has inf or NaN values",
    ),
    _keras(
        "reconstruction_bce",
        "computed in NumPy and turned back into a tensor: no gradient",
        """
def reconstruction_bce(x, logits):
    x, logits = np.asarray(x), np.asarray(logits)
    per_pixel = np.maximum(logits, 0) - logits * x + np.log1p(np.exp(-np.abs(logits)))
    return ops.convert_to_tensor(per_pixel.reshape(len(x), -1).sum(axis=1))
""",
        "Gradients cannot flow through reconstruction_bce",
    ),
    # build_autoencoder
    _keras(
        "build_autoencoder",
        "codings_size ignored (always 30 codings)",
        _keras_autoencoder(
            encoder='layers.Flatten(), layers.Dense(100, activation="relu"), layers.Dense(30),',
            coding_input="30",
        ),
        "Use the codings_size argument",
    ),
    _keras(
        "build_autoencoder",
        "not undercomplete: 784 codings",
        _keras_autoencoder(
            encoder='layers.Flatten(), layers.Dense(100, activation="relu"), layers.Dense(784),',
            coding_input="784",
        ),
        "not undercomplete",
    ),
    _keras(
        "build_autoencoder",
        "encoder does not flatten the images",
        _keras_autoencoder(
            encoder='layers.Dense(100, activation="relu"), layers.Dense(codings_size),',
        ),
        "flatten each image",
    ),
    _keras(
        "build_autoencoder",
        "sigmoid on the decoder's last layer: probabilities, not logits",
        _keras_autoencoder(
            decoder=(
                'layers.Dense(100, activation="relu"), '
                'layers.Dense(784, activation="sigmoid"), layers.Reshape((28, 28)),'
            ),
        ),
        "should return logits",
    ),
    _keras(
        "build_autoencoder",
        "decoder output not reshaped to (N, 28, 28)",
        _keras_autoencoder(
            decoder='layers.Dense(100, activation="relu"), layers.Dense(784),',
        ),
        "Reshape the decoder's 784 outputs",
    ),
    _keras(
        "build_autoencoder",
        "autoencoder built from new layers (weights not shared)",
        """
def build_autoencoder(codings_size):
    encoder = keras.Sequential([
        keras.Input(shape=(28, 28)), layers.Flatten(),
        layers.Dense(100, activation="relu"), layers.Dense(codings_size)])
    decoder = keras.Sequential([
        keras.Input(shape=(codings_size,)), layers.Dense(100, activation="relu"),
        layers.Dense(784), layers.Reshape((28, 28))])
    autoencoder = keras.Sequential([
        keras.Input(shape=(28, 28)), layers.Flatten(),
        layers.Dense(100, activation="relu"), layers.Dense(codings_size),
        layers.Dense(100, activation="relu"), layers.Dense(784), layers.Reshape((28, 28))])
    return encoder, decoder, autoencoder
""",
        "share their layers",
    ),
    # is_repeatable
    _keras(
        "is_repeatable",
        "compares one output with itself (always True)",
        """
def is_repeatable(model, x):
    output = ops.convert_to_numpy(model(x))
    return bool(np.array_equal(output, output))
""",
        "was reported as repeatable",
    ),
    _keras(
        "is_repeatable",
        "re-seeds the random generators before each call",
        """
def is_repeatable(model, x):
    keras.utils.set_random_seed(0)
    first = ops.convert_to_numpy(model(x))
    keras.utils.set_random_seed(0)
    second = ops.convert_to_numpy(model(x))
    return bool(np.array_equal(first, second))
""",
        "was reported as repeatable",
    ),
    _keras(
        "is_repeatable",
        "compares with a tolerance (allclose)",
        """
def is_repeatable(model, x):
    first = ops.convert_to_numpy(model(x))
    second = ops.convert_to_numpy(model(x))
    return bool(np.allclose(first, second))
""",
        "not with a tolerance",
    ),
    _keras(
        "is_repeatable",
        "returns a tensor instead of a bool",
        """
def is_repeatable(model, x):
    first, second = model(x), model(x)
    return ops.all(ops.equal(first, second))
""",
        "should return a Python bool",
    ),
]

CATALOGUE = TORCH + KERAS


# --------------------------------------------------------------------------------------------
# Right answers written differently from the solution: each must keep every point
# --------------------------------------------------------------------------------------------

_right = right_answers_of(A)


ALTERNATIVES = [
    _right(
        "pytorch",
        "reconstruction_mse",
        "the built-in F.mse_loss with reduction='none'",
        """
def reconstruction_mse(x, x_hat):
    return F.mse_loss(x_hat, x, reduction="none").sum(dim=(1, 2))
""",
    ),
    _right(
        "pytorch",
        "reconstruction_bce",
        "the built-in made for logits",
        """
def reconstruction_bce(x, logits):
    return F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=(1, 2))
""",
    ),
    _right(
        "pytorch",
        "build_autoencoder",
        "explicit layers, view() instead of Flatten/Unflatten",
        """
class DenseAutoencoder(nn.Module):
    def __init__(self, codings_size):
        super().__init__()
        self.hidden_in = nn.Linear(784, 100)
        self.codings = nn.Linear(100, codings_size)
        self.hidden_out = nn.Linear(codings_size, 100)
        self.pixels = nn.Linear(100, 784)

    def encode(self, x):
        return self.codings(torch.relu(self.hidden_in(x.view(len(x), -1))))

    def logits(self, codings):
        return self.pixels(torch.relu(self.hidden_out(codings))).view(-1, 28, 28)

    def decode(self, codings):
        return torch.sigmoid(self.logits(codings))

    def forward(self, x):
        return self.logits(self.encode(x))


def build_autoencoder(codings_size):
    return DenseAutoencoder(codings_size)
""",
    ),
    _right(
        "pytorch",
        "is_repeatable",
        "torch.tensor(x) copies, which makes PyTorch warn",
        """
def is_repeatable(model, x):
    with torch.no_grad():
        first = model(torch.tensor(x))
        second = model(torch.tensor(x))
    return torch.equal(first, second) is True
""",
    ),
    _right(
        "tensorflow",
        "reconstruction_mse",
        "plain TensorFlow ops",
        """
def reconstruction_mse(x, x_hat):
    return tf.reduce_sum(tf.square(tf.cast(x, tf.float32) - x_hat), axis=[1, 2])
""",
    ),
    _right(
        "tensorflow",
        "reconstruction_bce",
        "tf.nn.sigmoid_cross_entropy_with_logits",
        """
def reconstruction_bce(x, logits):
    per_pixel = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.cast(x, tf.float32),
                                                        logits=logits)
    return tf.reduce_sum(per_pixel, axis=[1, 2])
""",
    ),
    _right(
        "tensorflow",
        "build_autoencoder",
        "input_shape= on the first layers (Keras warns)",
        """
def build_autoencoder(codings_size):
    encoder = keras.Sequential([
        layers.Flatten(input_shape=(28, 28)),
        layers.Dense(100, activation="relu"),
        layers.Dense(codings_size),
    ])
    decoder = keras.Sequential([
        layers.Dense(100, activation="relu", input_shape=(codings_size,)),
        layers.Dense(784),
        layers.Reshape((28, 28)),
    ])
    autoencoder = keras.Sequential([encoder, decoder])
    return encoder, decoder, autoencoder
""",
    ),
    _right(
        "tensorflow",
        "build_autoencoder",
        "the functional API",
        """
def build_autoencoder(codings_size):
    images = keras.Input(shape=(28, 28))
    hidden = layers.Dense(100, activation="relu")(layers.Flatten()(images))
    encoder = keras.Model(images, layers.Dense(codings_size)(hidden))
    codings = keras.Input(shape=(codings_size,))
    hidden = layers.Dense(100, activation="relu")(codings)
    decoder = keras.Model(codings, layers.Reshape((28, 28))(layers.Dense(784)(hidden)))
    autoencoder = keras.Model(images, decoder(encoder(images)))
    return encoder, decoder, autoencoder
""",
    ),
    _right(
        "tensorflow",
        "is_repeatable",
        "compares tensors with keras.ops",
        """
def is_repeatable(model, x):
    first, second = model(x), model(x)
    return bool(ops.all(ops.equal(first, second)))
""",
    ),
    _right(
        "pytorch",
        "reconstruction_bce",
        "softplus(l) - l * x",
        """
def reconstruction_bce(x, logits):
    return (F.softplus(logits) - logits * x).sum(dim=(1, 2))
""",
    ),
    _right(
        "pytorch",
        "reconstruction_bce",
        "log-sigmoid of l and of -l",
        """
def reconstruction_bce(x, logits):
    log_likelihood = x * F.logsigmoid(logits) + (1 - x) * F.logsigmoid(-logits)
    return -log_likelihood.reshape(len(x), -1).sum(dim=-1)
""",
    ),
    _right(
        "pytorch",
        "build_autoencoder",
        "layers in nn.ModuleList, applied in a loop",
        """
class LoopAutoencoder(nn.Module):
    def __init__(self, codings_size):
        super().__init__()
        self.encoder_layers = nn.ModuleList([nn.Flatten(), nn.Linear(784, 100), nn.ReLU(),
                                             nn.Linear(100, codings_size)])
        self.decoder_layers = nn.ModuleList([nn.Linear(codings_size, 100), nn.ReLU(),
                                             nn.Linear(100, 784), nn.Unflatten(1, (28, 28))])

    def encode(self, x):
        for layer in self.encoder_layers:
            x = layer(x)
        return x

    def logits(self, codings):
        for layer in self.decoder_layers:
            codings = layer(codings)
        return codings

    def decode(self, codings):
        return torch.sigmoid(self.logits(codings))

    def forward(self, x):
        return self.logits(self.encode(x))


def build_autoencoder(codings_size):
    return LoopAutoencoder(codings_size)
""",
    ),
    _right(
        "pytorch",
        "is_repeatable",
        "element-wise == reduced with .all().item()",
        """
def is_repeatable(model, x):
    with torch.no_grad():
        return (model(x) == model(x)).all().item()
""",
    ),
    _right(
        "tensorflow",
        "reconstruction_mse",
        "reshape to (N, 784), then sum the last axis",
        """
def reconstruction_mse(x, x_hat):
    squared = ops.square(ops.convert_to_tensor(x) - x_hat)
    return ops.sum(ops.reshape(squared, (ops.shape(squared)[0], -1)), axis=-1)
""",
    ),
    _right(
        "tensorflow",
        "reconstruction_bce",
        "ops.softplus(l) - l * x",
        """
def reconstruction_bce(x, logits):
    x = ops.convert_to_tensor(x, "float32")
    return ops.sum(ops.softplus(logits) - logits * x, axis=(1, 2))
""",
    ),
    _right(
        "tensorflow",
        "is_repeatable",
        "NumPy arrays compared with == and .all()",
        """
def is_repeatable(model, x):
    first, second = np.asarray(model(x)), np.asarray(model(x))
    return bool((first == second).all())
""",
    ),
]

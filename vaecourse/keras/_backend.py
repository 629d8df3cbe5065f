"""Imported first by ``vaecourse.keras``: Keras 3 on TensorFlow, and TensorFlow's C++ start-up
chatter hidden, unless the environment already says otherwise."""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

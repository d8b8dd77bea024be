"""Helpers that use the safe forms only: aigis reports nothing here."""
import json
import tarfile

import numpy as np
import torch


def load_weights(path):
    return torch.load(path, weights_only=True)


def load_embeddings(path):
    return np.load(path, allow_pickle=False)


def unpack(archive, dest):
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")


def read_labels(path):
    with open(path) as f:
        return json.load(f)

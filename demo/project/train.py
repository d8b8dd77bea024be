"""Fine-tune a sentiment model (aigis demo project: the risky lines are on purpose)."""
import pickle

import torch
import yaml
from transformers import AutoModelForSequenceClassification

with open("config.yaml") as f:
    config = yaml.load(f)  # builds arbitrary objects with old PyYAML or a full loader

model = AutoModelForSequenceClassification.from_pretrained(
    "acme/sentiment-base", trust_remote_code=True
)
state = torch.load("checkpoint.pt")  # weights_only not given
with open("features.pkl", "rb") as f:
    features = pickle.load(f)

# The safe forms stay quiet:
weights = torch.load("checkpoint.pt", weights_only=True)
with open("config.yaml") as f:
    settings = yaml.safe_load(f)
pinned = AutoModelForSequenceClassification.from_pretrained(
    "acme/sentiment-base", revision="4f9c2d1e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d"
)

"""A small inference server (aigis demo project)."""
import logging
import traceback

from flask import Flask, jsonify, request

app = Flask(__name__)
log = logging.getLogger(__name__)


@app.route("/predict", methods=["POST"])
def predict():
    log.info("request body: %s", request.json)
    try:
        return jsonify(label=classify(request.json["text"]))
    except Exception:
        return jsonify(error=traceback.format_exc()), 500


def classify(text):
    return "positive" if "good" in text else "negative"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8080, debug=True)

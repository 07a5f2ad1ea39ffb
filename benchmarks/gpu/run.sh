#!/usr/bin/env bash
# GPU throughput of the generated ViT-B/16 and ResNet-50 (bf16 / fp32, forward / training, achieved TFLOP/s).
#
#   benchmarks/gpu/run.sh [ARGS...]          build against a CUDA libtorch and run (needs the NuGet feed once)
#   benchmarks/gpu/run.sh publish DIR        self-contained folder for an offline GPU machine (run DIR/run-offline.sh there)
#   benchmarks/gpu/run.sh cpu-check          build against this host's CPU libtorch, tiny run with --allow-cpu
#
# Environment: LIBTORCH_PACKAGE (default TorchSharp-cuda-linux), LIBTORCH_VERSION (default 0.107.0, the TorchSharp
# version; for a bare libtorch-cuda-* package give its own version), DOTNET (default dotnet).
# ARGS go to the program: --models vit_b_16,resnet50 --dtypes bf16,fp32 --modes forward,train --batch N
# --warmup N --iters N --device cuda:0 --csv FILE --allow-cpu.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$here/ArchDsl.GpuBench/ArchDsl.GpuBench.csproj"
dotnet="${DOTNET:-dotnet}"
pkg="${LIBTORCH_PACKAGE:-TorchSharp-cuda-linux}"
ver="${LIBTORCH_VERSION:-0.107.0}"
# Only this project references the libtorch package (the samples' declarations are compiled in), so switching
# backends re-restores this project alone; its bin/ then holds that backend until the next switch.
props=(-c Release "-p:LibTorchPackage=$pkg" "-p:LibTorchVersion=$ver")

case "${1:-}" in
  publish)
    out="${2:?usage: run.sh publish DIR}"
    "$dotnet" publish "$project" "${props[@]}" -r linux-x64 --self-contained true -o "$out"
    cat > "$out/run-offline.sh" <<'INNER'
#!/usr/bin/env bash
# Runs the published benchmark; needs only the NVIDIA driver (libcuda.so.1) on this machine.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$here/ArchDsl.GpuBench" "$@"
INNER
    chmod +x "$out/run-offline.sh"
    echo "published to $out: copy the folder to the GPU machine and run $out/run-offline.sh [ARGS]"
    ;;
  cpu-check)
    shift
    "$dotnet" build "$project" -c Release -v q
    "$dotnet" "$here/ArchDsl.GpuBench/bin/Release/net10.0/ArchDsl.GpuBench.dll" --allow-cpu --batch 1 --warmup 0 --iters 1 "$@"
    ;;
  *)
    "$dotnet" build "$project" "${props[@]}" -v q
    "$dotnet" "$here/ArchDsl.GpuBench/bin/Release/net10.0/ArchDsl.GpuBench.dll" "$@"
    ;;
esac

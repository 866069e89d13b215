#!/usr/bin/env bash
# Builds the two images the overlays name: prunecluster:cpu (overlays/cpu) and prunecluster:cuda (overlays/gpu).
# Run from anywhere; the build context is the repository. Push them to a registry the cluster pulls from and point
# the overlays at it (kustomize edit set image prunecluster=REGISTRY/prunecluster:TAG), or load them into a local
# cluster (kind load docker-image prunecluster:cpu).
#   k8s/build-images.sh [cpu] [cuda]      (both when no argument)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
for flavour in "${@:-cpu cuda}"; do
  for f in $flavour; do
    case $f in
      cpu)  base=mcr.microsoft.com/dotnet/runtime-deps:10.0-noble; backend=cpu ;;
      cuda) base=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04; backend=cuda ;;
      *) echo "unknown image '$f' (cpu or cuda)" >&2; exit 2 ;;
    esac
    DOCKER_BUILDKIT=1 docker build -f "$repo/k8s/Dockerfile" --build-arg TORCH_BACKEND=$backend --build-arg RUNTIME_BASE=$base \
      -t prunecluster:$f "$repo"
  done
done

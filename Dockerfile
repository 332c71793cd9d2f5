# Murmuration, offline: the model, GloVe and corpora come from Python packages and data/.
# Build: docker build -t murmuration .   Run: docker run -p 8501:8501 -e PORT=8501 murmuration
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    MURMURATION_CACHE_DIR=/app/.cache \
    PORT=8501

WORKDIR /app
COPY requirements.txt pyproject.toml ./
# requirements.txt installs the project (core, ui, testkit) and the map's own package from these folders, editable
COPY core ./core
COPY ui ./ui
COPY testkit ./testkit
COPY murmuration_map ./murmuration_map
# PyPI's torch 2.13.0 for Linux x86_64 is the CUDA build (several GB); the app only uses the CPU.
RUN pip install -r requirements.txt --extra-index-url https://download.pytorch.org/whl/cpu

COPY . .
# Precompute the bundled corpora with the transformer and its static distillation, and UMAP's compiled
# code (core/warmup.py), so that first visits compute nothing; then hand the cache to the unprivileged user that runs the app.
RUN python -m core precompute flutter anime-quotes flutter-seasons words --encoder minilm --encoder minilm-static \
        --cache /app/.cache \
    && python -m core.warmup \
    && useradd --create-home --uid 1000 murmuration \
    && chown -R murmuration /app/.cache

USER murmuration
EXPOSE 8501
HEALTHCHECK CMD python -c "import urllib.request, os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/_stcore/health')"
CMD ["sh", "-c", "streamlit run app.py --server.port=${PORT} --server.address=0.0.0.0"]

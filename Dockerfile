# syntax=docker/dockerfile:1

# ---- build ------------------------------------------------------------------
# The locked dependencies need a recent toolchain (some require Rust 1.95).
FROM rust:1.95-bookworm AS builder
WORKDIR /build

# Only what the build needs: the manifest, the sources, the embedded
# migrations, and the test and bench targets the manifest declares.
COPY Cargo.toml Cargo.lock ./
COPY .cargo ./.cargo
COPY src ./src
COPY migrations ./migrations
COPY locales ./locales
COPY benches ./benches
COPY tests ./tests

# SQLite and libpq are bundled by the crate and built with the image's C
# compiler. The cache mounts keep the registry and the target directory
# between builds, so the binary is copied out of the target cache.
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/usr/local/cargo/git,sharing=locked \
    --mount=type=cache,target=/build/target,sharing=locked \
    cargo build --release --locked --bin passerelle \
    && install -m 0755 target/release/passerelle /usr/local/bin/passerelle

# ---- runtime ----------------------------------------------------------------
FROM debian:bookworm-slim AS runtime

RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 passerelle \
    && useradd --system --uid 10001 --gid passerelle --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin passerelle

WORKDIR /app
COPY --from=builder /usr/local/bin/passerelle /usr/local/bin/passerelle

# Reference files and the demo data set only: a local database or a generated
# development signing key lying in data/ must not end up in the image. The
# directory belongs to the service user, which may write there when it runs
# without an external database or configured key.
RUN mkdir -p /app/data && chown passerelle:passerelle /app/data
COPY --chown=passerelle:passerelle data/*.csv ./data/
COPY --chown=passerelle:passerelle data/demo ./data/demo

USER passerelle:passerelle

ENV PASSERELLE_BIND=0.0.0.0:8080 \
    PASSERELLE_DATA_DIR=/app/data

EXPOSE 8080

ENTRYPOINT ["passerelle"]
CMD ["serve"]

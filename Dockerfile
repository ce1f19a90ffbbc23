# evalguard in a small image: built in the Swift image (the Swift runtime linked statically, as
# in the release archive), then copied onto Debian slim with the libgit2 it was built against.
#
#   docker build -t evalguard .
#   docker run --rm -v "$PWD:/repo" -w /repo evalguard check
#
# The image also holds git and python3 (the CI helpers in /usr/local/share/evalguard/ci need it).
# Your model's own runtime is not in it: extend it (FROM evalguard, then install what the model
# needs) and use that image in CI.

# Both stages on Debian 12 (bookworm): the binary needs the libgit2 it was linked with (1.5), and
# OpenSSL 3 (libssl3, opened at run time for https models; libgit2's libssh2 depends on it too).
ARG SWIFT_IMAGE=swift:6.3-bookworm
FROM ${SWIFT_IMAGE} AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgit2-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift LICENSE README.md ./
COPY Sources ./Sources
COPY hooks ./hooks
COPY scripts ./scripts
RUN scripts/package.sh --output /dist \
    && scripts/install.sh --prefix /out /dist/evalguard-*.tar.gz

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgit2-1.5 libssl3 git python3 ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/ /usr/local/
RUN evalguard --version
ENTRYPOINT ["evalguard"]

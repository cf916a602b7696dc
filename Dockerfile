# depsweep container image: a static binary on a distroless base that runs
# as a non-root user and has no shell. Build it with
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t depsweep .
#
# The build stage runs `make static`, the same target CI runs, so the image
# holds exactly the binary the tests built.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=devel
RUN make static VERSION=${VERSION} OUT=/out/depsweep

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/depsweep /usr/local/bin/depsweep
USER nonroot:nonroot
WORKDIR /home/nonroot
ENTRYPOINT ["/usr/local/bin/depsweep"]
CMD ["--help"]

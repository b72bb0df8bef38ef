# kcmock: Keycloak 26 OpenID Connect endpoints from TOML scenarios, as a small static image.
#
#   docker build -t kcmock .
#   docker run -p 8080:8080 kcmock                      # the embedded default scenario (realm "demo")
#
# Scenarios: mount your files under /scenarios (an empty directory owned by the runtime user)
# and name them in KCMOCK_SCENARIO (comma-separated) or with --scenario. Key files a scenario
# names by a relative path are read relative to that scenario, so mount them beside it:
#
#   docker run -p 8080:8080 -v $PWD/my.toml:/scenarios/my.toml \
#     -e KCMOCK_SCENARIO=/scenarios/my.toml kcmock
#
# Every other flag has its KCMOCK_* variable too (KCMOCK_HOSTNAME, KCMOCK_TRUST_PROXY,
# KCMOCK_LOG_LEVEL, KCMOCK_LOG_FORMAT); see README.md.

# The Go release go.mod asks for (go 1.26.8).
FROM golang:1.26.8 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/kcmock ./cmd/kcmock \
 && mkdir -p /out/scenarios

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/kcmock /kcmock
COPY --from=build --chown=nonroot:nonroot /out/scenarios /scenarios
USER nonroot:nonroot
# kcmock listens on 127.0.0.1:8080 by default; in a container it must accept outside connections.
ENV KCMOCK_ADDR=0.0.0.0:8080
EXPOSE 8080
# kcmock health asks GET /_kcmock/health on KCMOCK_ADDR (0.0.0.0 is asked on 127.0.0.1) and reads
# KCMOCK_CONTROL_SECRET; it needs the control API, which is on unless KCMOCK_CONTROL=false.
HEALTHCHECK --interval=10s --timeout=3s CMD ["/kcmock","health"]
ENTRYPOINT ["/kcmock"]

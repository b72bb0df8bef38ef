// Command kcmock serves Keycloak 26's OpenID Connect endpoints from TOML scenario files, for
// development and tests without a Keycloak server. This package owns the command line:
// flags, environment variables, subcommands and the process lifecycle; run() is what tests call.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signalContext()
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, nil)
	stop()
	os.Exit(code)
}

// signalContext is cancelled by SIGINT or SIGTERM, which start a graceful shutdown.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// run executes kcmock with its arguments and environment and returns the exit status. ready,
// when not nil, receives the listening address once the server accepts connections.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, ready chan<- string) int {
	if len(args) > 0 {
		switch args[0] {
		case "validate":
			return validate(args[1:], stdout, stderr)
		case "health":
			return health(ctx, args[1:], getenv, stdout, stderr)
		case "check":
			return check(ctx, args[1:], stdout, stderr)
		case "convert":
			return convert(args[1:], stdout, stderr)
		case "help", "-h", "-help", "--help":
			usage(stdout)
			return 0
		}
	}
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "kcmock:", err)
		return 2
	}
	if err := serve(ctx, cfg, stdout, stderr, ready); err != nil {
		fmt.Fprintln(stderr, "kcmock:", err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprint(w, `kcmock: Keycloak 26 OpenID Connect endpoints from TOML scenarios.

Usage:
  kcmock [flags]              serve the scenarios (the embedded default scenario without --scenario)
  kcmock validate FILE...     check scenario files, report every problem, exit 1 if any
  kcmock health [--addr HOST:PORT] [--control-secret S]
                              exit 0 if the kcmock at that address (default KCMOCK_ADDR) is up
  kcmock convert FILE.json [-o OUT.toml] [--full]
                              write a Keycloak realm export as a TOML scenario
  kcmock check FILE... [--json]
                              run the scenarios' [[cases]], report per case, exit 1 on a failure

Flags (each also read from the environment variable shown):
  --scenario FILE     scenario file, repeatable                          KCMOCK_SCENARIO (several separated by ",")
  --realm-import PATH Keycloak realm export (JSON) or a directory of them, KCMOCK_REALM_IMPORT (several separated by ",")
                      repeatable
  --addr HOST:PORT    listen address (default 127.0.0.1:8080)            KCMOCK_ADDR
  --hostname URL      fixed front-end URL or host name, like Keycloak's  KCMOCK_HOSTNAME
  --trust-proxy       take the issuer from Forwarded / X-Forwarded-*    KCMOCK_TRUST_PROXY
  --control           control API under /_kcmock (default true)          KCMOCK_CONTROL
  --control-secret S  bearer token the control API requires              KCMOCK_CONTROL_SECRET
  --log-level LEVEL   debug, info, warn or error (default info)          KCMOCK_LOG_LEVEL
  --log-format FMT    text or json (default text)                        KCMOCK_LOG_FORMAT
  --watch             reload the scenario files when they change         KCMOCK_WATCH
  --watch-interval D  how often --watch looks (default 500ms)            KCMOCK_WATCH_INTERVAL
  --clock TIME        start with the clock frozen at an RFC 3339 time    KCMOCK_CLOCK
  --seed N            derive ids and unpinned keys from N (with --clock:  KCMOCK_SEED
                      byte-identical tokens on every run)
`)
}

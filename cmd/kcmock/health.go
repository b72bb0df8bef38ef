package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// healthTimeout stays under the Dockerfile's HEALTHCHECK --timeout=3s, so the reason for a
// failure is printed before Docker gives up on the check.
const healthTimeout = 2500 * time.Millisecond

// health asks a running kcmock for GET /_kcmock/health: exit 0 when it answers 200, 1
// otherwise. It is the container's HEALTHCHECK (a distroless image has no curl).
func health(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	addr := getenv("KCMOCK_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	fs := flag.NewFlagSet("kcmock health", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&addr, "addr", addr, "address kcmock listens on")
	secret := fs.String("control-secret", getenv("KCMOCK_CONTROL_SECRET"), "the control API's secret")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "kcmock health: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	target, err := healthURL(addr)
	if err != nil {
		fmt.Fprintln(stderr, "kcmock health:", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		fmt.Fprintln(stderr, "kcmock health:", err)
		return 2
	}
	if *secret != "" {
		req.Header.Set("Authorization", "Bearer "+*secret)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "kcmock health: unhealthy: %v\n", err)
		return 1
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if res.StatusCode != http.StatusOK {
		hint := ""
		switch res.StatusCode {
		case http.StatusNotFound:
			hint = " (is the control API off? kcmock health needs --control)"
		case http.StatusUnauthorized:
			hint = " (give the control secret: --control-secret or KCMOCK_CONTROL_SECRET)"
		}
		fmt.Fprintf(stderr, "kcmock health: unhealthy: %s answered %d%s: %s\n", target, res.StatusCode, hint, strings.TrimSpace(string(body)))
		return 1
	}
	var h struct {
		Realms []string `json:"realms"`
	}
	_ = json.Unmarshal(body, &h)
	fmt.Fprintf(stdout, "kcmock is healthy: realms %s\n", strings.Join(h.Realms, ", "))
	return 0
}

// healthURL is the health endpoint at a listen address. A wildcard address (0.0.0.0, ::, or
// none, as in ":8080") is not one to connect to: the loopback is asked instead.
func healthURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("address %q: want HOST:PORT", addr)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
		if ip != nil && ip.To4() == nil {
			host = "::1"
		}
	}
	return "http://" + net.JoinHostPort(host, port) + "/_kcmock/health", nil
}

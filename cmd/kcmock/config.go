package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
)

// config is the validated command line.
type config struct {
	scenarios  []string
	imports    []string // Keycloak realm exports: JSON files or directories of them
	addr       string
	hostname   string
	trustProxy bool
	logLevel   slog.Level
	logJSON    bool
	// control serves the control API under /_kcmock; controlSecret, when set, guards it.
	control       bool
	controlSecret string
	watch         watchConfig // --watch, --watch-interval (watch.go)
	det           detConfig   // --clock, --seed (deterministic.go)
}

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// parseConfig reads flags over environment variables over defaults.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	cfg := config{addr: "127.0.0.1:8080", control: true}
	if v := getenv("KCMOCK_SCENARIO"); v != "" {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				cfg.scenarios = append(cfg.scenarios, p)
			}
		}
	}
	if v := getenv("KCMOCK_REALM_IMPORT"); v != "" {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				cfg.imports = append(cfg.imports, p)
			}
		}
	}
	if v := getenv("KCMOCK_ADDR"); v != "" {
		cfg.addr = v
	}
	cfg.hostname = getenv("KCMOCK_HOSTNAME")
	level, format := getenv("KCMOCK_LOG_LEVEL"), getenv("KCMOCK_LOG_FORMAT")
	if v := getenv("KCMOCK_TRUST_PROXY"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return cfg, fmt.Errorf("KCMOCK_TRUST_PROXY=%q: want true or false", v)
		}
		cfg.trustProxy = b
	}
	if v := getenv("KCMOCK_CONTROL"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return cfg, fmt.Errorf("KCMOCK_CONTROL=%q: want true or false", v)
		}
		cfg.control = b
	}
	cfg.controlSecret = getenv("KCMOCK_CONTROL_SECRET")

	fs := flag.NewFlagSet("kcmock", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var files stringList
	fs.Var(&files, "scenario", "scenario file (repeatable)")
	var imports stringList
	fs.Var(&imports, "realm-import", "Keycloak realm export (JSON) or a directory of them (repeatable)")
	fs.StringVar(&cfg.addr, "addr", cfg.addr, "listen address")
	fs.StringVar(&cfg.hostname, "hostname", cfg.hostname, "front-end URL or host name")
	fs.BoolVar(&cfg.trustProxy, "trust-proxy", cfg.trustProxy, "trust Forwarded / X-Forwarded-* headers")
	fs.BoolVar(&cfg.control, "control", cfg.control, "serve the control API under /_kcmock")
	fs.StringVar(&cfg.controlSecret, "control-secret", cfg.controlSecret, "bearer token the control API requires")
	fs.StringVar(&level, "log-level", level, "debug, info, warn or error")
	fs.StringVar(&format, "log-format", format, "text or json")
	if err := cfg.watch.register(fs, getenv); err != nil {
		return cfg, err
	}
	if err := cfg.det.register(fs, getenv); err != nil {
		return cfg, err
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q (scenario files go after --scenario)", fs.Arg(0))
	}
	if len(files) > 0 {
		cfg.scenarios = files
	}
	if len(imports) > 0 {
		cfg.imports = imports
	}
	switch strings.ToLower(level) {
	case "", "info":
		cfg.logLevel = slog.LevelInfo
	case "debug":
		cfg.logLevel = slog.LevelDebug
	case "warn":
		cfg.logLevel = slog.LevelWarn
	case "error":
		cfg.logLevel = slog.LevelError
	default:
		return cfg, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	switch strings.ToLower(format) {
	case "", "text":
	case "json":
		cfg.logJSON = true
	default:
		return cfg, fmt.Errorf("log format %q: want text or json", format)
	}
	if cfg.hostname != "" && strings.Contains(cfg.hostname, "://") &&
		!strings.HasPrefix(cfg.hostname, "http://") && !strings.HasPrefix(cfg.hostname, "https://") {
		return cfg, fmt.Errorf("hostname %q: a URL must start with http:// or https://", cfg.hostname)
	}
	return cfg, nil
}

package main

import (
	"crypto/rand"
	"encoding/binary"
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/kcmock/kcmock/scenarios"
	"github.com/kcmock/kcmock/server"
)

// detConfig is the command line of deterministic mode: with --clock and --seed, two runs given
// the same requests in the same order answer byte for byte the same, tokens included.
type detConfig struct {
	clock  time.Time // frozen start; zero: the real clock
	seed   int64
	seeded bool
}

// register reads KCMOCK_CLOCK and KCMOCK_SEED and declares --clock and --seed; parseConfig
// calls it before parsing the flags.
func (d *detConfig) register(fs *flag.FlagSet, getenv func(string) string) error {
	if v := getenv("KCMOCK_CLOCK"); v != "" {
		if err := d.setClock(v); err != nil {
			return fmt.Errorf("KCMOCK_CLOCK=%q: %w", v, err)
		}
	}
	if v := getenv("KCMOCK_SEED"); v != "" {
		if err := d.setSeed(v); err != nil {
			return fmt.Errorf("KCMOCK_SEED=%q: %w", v, err)
		}
	}
	fs.Func("clock", "start with the clock frozen at this RFC 3339 time", d.setClock)
	fs.Func("seed", "derive ids and unpinned keys from this integer", d.setSeed)
	return nil
}

func (d *detConfig) setClock(v string) error {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return fmt.Errorf("want an RFC 3339 time such as 2026-01-02T15:04:05Z, got %q", v)
	}
	d.clock = t
	return nil
}

func (d *detConfig) setSeed(v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return fmt.Errorf("want an integer, got %q", v)
	}
	d.seed, d.seeded = n, true
	return nil
}

// loadOptions are the scenario options of a run: keys the scenario does not pin are derived
// from the seed, and certificates dated by the frozen clock. Call it once per run: with
// --watch and no --seed it draws a seed for the process, so that reloads derive the same
// keys again and tokens issued before a reload keep verifying.
func (d detConfig) loadOptions(watch bool) scenarios.Options {
	var o scenarios.Options
	switch {
	case d.seeded:
		o.Seed = server.SeedBytes(d.seed)
	case watch:
		var b [8]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
		o.Seed = server.SeedBytes(int64(binary.BigEndian.Uint64(b[:])))
	}
	at := d.clock
	if at.IsZero() && watch {
		// Reloaded certificates keep their first date, so the JWKS changes only with the keys.
		at = time.Now()
	}
	if !at.IsZero() {
		o.Now = func() time.Time { return at }
	}
	return o
}

// newID is the server's id generator: seeded, or nil for the default random one.
func (d detConfig) newID() func() string {
	if !d.seeded {
		return nil
	}
	return server.SeededIDs(d.seed)
}

// startClock freezes the server's clock at --clock.
func (d detConfig) startClock(srv *server.Server, log *slog.Logger) {
	if d.clock.IsZero() {
		return
	}
	srv.Clock().Freeze()
	srv.Clock().Set(d.clock)
	log.Info("clock frozen", "at", d.clock.Format(time.RFC3339))
}

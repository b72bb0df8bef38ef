package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/kcmock/kcmock/scenarios"
)

// defaultWatchInterval is how often --watch looks at the scenario files.
const defaultWatchInterval = 500 * time.Millisecond

// watchConfig is the command line of hot reload.
type watchConfig struct {
	enabled  bool
	interval time.Duration // 0 means defaultWatchInterval
}

// register reads KCMOCK_WATCH and KCMOCK_WATCH_INTERVAL and declares --watch and
// --watch-interval; parseConfig calls it before parsing the flags.
func (w *watchConfig) register(fs *flag.FlagSet, getenv func(string) string) error {
	if v := getenv("KCMOCK_WATCH"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("KCMOCK_WATCH=%q: want true or false", v)
		}
		w.enabled = b
	}
	if v := getenv("KCMOCK_WATCH_INTERVAL"); v != "" {
		if err := w.setInterval(v); err != nil {
			return fmt.Errorf("KCMOCK_WATCH_INTERVAL=%q: %w", v, err)
		}
	}
	fs.BoolVar(&w.enabled, "watch", w.enabled, "reload the scenario files when they change")
	fs.Func("watch-interval", "how often --watch looks at the files (default 500ms)", w.setInterval)
	return nil
}

func (w *watchConfig) setInterval(v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return fmt.Errorf("want a positive duration such as 500ms, got %q", v)
	}
	w.interval = d
	return nil
}

// watchFiles polls the size and modification time of the scenario files and realm imports
// every --watch-interval (the entries of a directory count as its content) and, after a change, loads the scenario again and hands
// it to reload. A scenario that does not load leaves the previous one serving, and each of
// its problems is logged on a line of its own. The returned stop ends the polling and waits
// for it, so nothing is logged after serve returns.
//
// Polling rather than file-system events: it sees editors that replace a file by renaming,
// works on every platform and in bind mounts, and costs a few stat calls per interval.
func watchFiles(ctx context.Context, cfg config, load func() (*scenarios.Scenario, error),
	reload func(*scenarios.Scenario) error, log *slog.Logger) (stop func()) {
	files := slices.Concat(cfg.scenarios, cfg.imports)
	interval := cfg.watch.interval
	if interval <= 0 {
		interval = defaultWatchInterval
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	if len(files) == 0 {
		log.Warn("--watch: nothing to watch, the embedded default scenario is served")
		close(done)
		return cancel
	}
	log.Info("watching scenario files", "files", files, "interval", interval)
	go func() {
		defer close(done)
		seen := snapshotOf(files)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			now := snapshotOf(files)
			changed := now.changed(seen)
			if len(changed) == 0 {
				continue
			}
			// The snapshot is taken before loading: a write that lands during the load
			// shows up as another change at the next tick.
			seen = now
			log.Info("scenario files changed, reloading", "files", changed)
			sc, err := load()
			if err == nil {
				err = reload(sc)
			}
			if err != nil {
				logReloadError(log, err)
				continue
			}
			log.Info("scenario reloaded", "realms", len(sc.Realms))
		}
	}()
	return func() { cancel(); <-done }
}

// logReloadError logs each problem of a scenario that did not load on a line of its own.
func logReloadError(log *slog.Logger, err error) {
	var le *scenarios.LoadError
	if !errors.As(err, &le) {
		log.Error("reload failed, still serving the previous scenario", "err", err)
		return
	}
	for _, p := range le.Problems {
		log.Error("reload failed, still serving the previous scenario", "problem", p.String())
	}
}

// fileState is what polling compares: size and modification time, or the stat error.
type fileState struct {
	size int64
	mod  time.Time
	err  string
}

// snapshot maps each watched path (and each entry of a watched directory) to its state.
type snapshot map[string]fileState

func snapshotOf(paths []string) snapshot {
	s := snapshot{}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			s[p] = fileState{err: err.Error()}
			continue
		}
		s[p] = fileState{size: fi.Size(), mod: fi.ModTime()}
		if !fi.IsDir() {
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			s[p] = fileState{err: err.Error()}
			continue
		}
		for _, e := range entries {
			if info, err := e.Info(); err == nil && !e.IsDir() {
				s[filepath.Join(p, e.Name())] = fileState{size: info.Size(), mod: info.ModTime()}
			}
		}
	}
	return s
}

// changed lists the paths whose state differs from before, sorted.
func (s snapshot) changed(before snapshot) []string {
	var out []string
	for p, st := range s {
		if b, ok := before[p]; !ok || b.size != st.size || !b.mod.Equal(st.mod) || b.err != st.err {
			out = append(out, p)
		}
	}
	for p := range before {
		if _, ok := s[p]; !ok {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

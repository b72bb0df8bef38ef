package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkProcessStartup launches the kcmock binary on the default scenario and measures the
// time until its discovery document is served, and the process's resident memory at that
// moment (Linux): `go test -run '^$' -bench ProcessStartup -benchtime 50x ./cmd/kcmock`. Besides
// the mean (ns/op) it reports the median and the 90th percentile, and the median resident set.
func BenchmarkProcessStartup(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "kcmock")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	client := &http.Client{Timeout: time.Second}
	var took []time.Duration
	var rss []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		url := "http://" + addr + "/realms/demo/.well-known/openid-configuration"
		cmd := exec.Command(bin, "--addr", addr, "--log-level", "error")
		b.StartTimer()
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		for {
			res, err := client.Get(url)
			if err == nil {
				res.Body.Close()
				if res.StatusCode == 200 {
					break
				}
			}
			if time.Since(start) > 5*time.Second {
				b.Fatal("kcmock did not serve discovery within 5 s")
			}
			time.Sleep(50 * time.Microsecond)
		}
		b.StopTimer()
		took = append(took, time.Since(start))
		if kb, err := residentKB(cmd.Process.Pid); err == nil {
			rss = append(rss, float64(kb)/1024)
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		b.StartTimer()
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2])/1e6, "ms-median")
	b.ReportMetric(float64(took[len(took)*9/10])/1e6, "ms-p90")
	if len(rss) > 0 {
		slices.Sort(rss)
		b.ReportMetric(rss[len(rss)/2], "MB-rss")
	}
}

// residentKB reads a process's resident set size from /proc (Linux only).
func residentKB(pid int) (int, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

package main

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkProcessStartup launches the kcmock binary on the default scenario and measures the
// time until its discovery document is served: `go test -run x -bench ProcessStartup ./cmd/kcmock`.
func BenchmarkProcessStartup(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "kcmock")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	client := &http.Client{Timeout: time.Second}
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
			time.Sleep(200 * time.Microsecond)
		}
		b.StopTimer()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		b.StartTimer()
	}
}

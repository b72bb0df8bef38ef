package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// build compiles kcmock into dir and returns the binary's path.
func build(root, dir string) (string, error) {
	bin := filepath.Join(dir, "kcmock")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/kcmock")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/kcmock: %v\n%s", err, out)
	}
	return bin, nil
}

// kcmock is a running kcmock process.
type kcmock struct {
	cmd    *exec.Cmd
	base   string // http://127.0.0.1:port
	stderr *bytes.Buffer
	exited chan error
}

// start launches bin on a free loopback port with the scenario ("" for the default one) and
// waits until it serves.
func start(bin, scenario string) (*kcmock, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	args := []string{"--addr", addr, "--log-level", "error"}
	if scenario != "" {
		args = append(args, "--scenario", scenario)
	}
	k := &kcmock{cmd: exec.Command(bin, args...), base: "http://" + addr, stderr: &bytes.Buffer{}, exited: make(chan error, 1)}
	k.cmd.Stderr = k.stderr
	if err := k.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { k.exited <- k.cmd.Wait() }()
	client := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		select {
		case err := <-k.exited:
			return nil, fmt.Errorf("kcmock exited (%v): %s", err, k.stderr)
		default:
		}
		// Any answer means it listens; the realms' own endpoints are probed by the workers.
		if res, err := client.Get(k.base + "/realms/"); err == nil {
			res.Body.Close()
			return k, nil
		}
	}
	_ = k.cmd.Process.Kill()
	return nil, fmt.Errorf("kcmock did not start within 15 s: %s", k.stderr)
}

// stop sends SIGINT (a graceful shutdown) and waits for a clean exit.
func (k *kcmock) stop() error {
	_ = k.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-k.exited:
		if err != nil {
			return fmt.Errorf("kcmock exited with %v: %s", err, k.stderr)
		}
		return nil
	case <-time.After(15 * time.Second):
		_ = k.cmd.Process.Kill()
		return fmt.Errorf("kcmock did not stop within 15 s")
	}
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

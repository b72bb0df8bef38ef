package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestGracefulShutdown cancels run's context (what SIGTERM does, see TestSignalShutdown) while
// hundreds of token requests are in flight, and only then lets them finish: every one must
// get its complete response (no reset, no truncated body) and run must exit 0.
//
// Each request sends its headers, then holds its body back, so its handler is running (blocked
// reading the form) when the context is cancelled: the requests are in flight by construction,
// not by timing. Once the listener is seen closed, the bodies are sent and the tokens signed
// during the shutdown.
func TestGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("signs a few hundred tokens")
	}
	const n = 256
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	var out, errOut bytes.Buffer
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, []string{"--addr", "127.0.0.1:0", "--log-level", "error"}, env(nil), &out, &errOut, ready)
	}()
	var addr string
	select {
	case addr = <-ready:
	case code := <-exit:
		t.Fatalf("run exited %d: %s", code, errOut.String())
	case <-time.After(5 * time.Second):
		t.Fatal("kcmock did not start")
	}

	const body = "grant_type=password&username=alice&password=alice"
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, MaxConnsPerHost: n}}
	type result struct {
		status int
		body   []byte
		err    error
	}
	results := make([]result, n)
	bodies := make([]*io.PipeWriter, n)
	var headersSent, finished sync.WaitGroup
	headersSent.Add(n)
	finished.Add(n)
	for i := range n {
		pr, pw := io.Pipe()
		bodies[i] = pw
		go func() {
			defer finished.Done()
			var once sync.Once
			trace := &httptrace.ClientTrace{WroteHeaders: func() { once.Do(headersSent.Done) }}
			req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), http.MethodPost, "http://"+addr+tokenPath, pr)
			req.ContentLength = int64(len(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth("demo-app", "demo-app-secret")
			res, err := client.Do(req)
			once.Do(headersSent.Done)
			r := result{err: err}
			if err == nil {
				r.status = res.StatusCode
				r.body, r.err = io.ReadAll(res.Body)
				res.Body.Close()
			}
			results[i] = r
		}()
	}
	headersSent.Wait()
	// The server is idle (every handler waits for its body), so its accept loop takes every
	// connection off the backlog quickly; a connection still queued when the listener closes
	// would be reset by the kernel, which is not what this test is about.
	time.Sleep(100 * time.Millisecond)
	cancel()
	waitRefused(t, addr)
	for _, pw := range bodies {
		go func() { _, _ = io.WriteString(pw, body); pw.Close() }()
	}
	finished.Wait()

	for i, r := range results {
		if r.err != nil {
			t.Errorf("request %d: %v", i, r.err)
			continue
		}
		var m struct {
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
		}
		if r.status != 200 || json.Unmarshal(r.body, &m) != nil || strings.Count(m.AccessToken, ".") != 2 || strings.Count(m.RefreshToken, ".") != 2 {
			t.Errorf("request %d: %d %q", i, r.status, r.body)
		}
	}
	select {
	case code := <-exit:
		if code != 0 {
			t.Errorf("exit code %d after shutdown: %s", code, errOut.String())
		}
	case <-time.After(defaultLimits().shutdownGrace + time.Second):
		t.Fatal("kcmock did not shut down")
	}
}

// waitRefused waits until a new connection to addr is refused: the server is shutting down.
func waitRefused(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if errors.Is(err, syscall.ECONNREFUSED) {
			return
		}
		if c != nil {
			c.Close()
		}
		if time.Now().After(deadline) {
			t.Fatalf("the listener is still open after the context was cancelled (%v)", err)
		}
		time.Sleep(time.Millisecond)
	}
}

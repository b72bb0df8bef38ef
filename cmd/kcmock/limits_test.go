package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// startServing runs serveWith on a free loopback port with lim and returns the address; the
// server stops when the test ends.
func startServing(t *testing.T, lim limits) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	stopped := make(chan struct{})
	var err error
	go func() {
		defer close(stopped)
		err = serveWith(ctx, config{addr: "127.0.0.1:0"}, lim, io.Discard, io.Discard, ready)
	}()
	select {
	case addr := <-ready:
		t.Cleanup(func() {
			cancel()
			if <-stopped; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
		return addr
	case <-stopped:
		cancel()
		t.Fatalf("serve exited: %v", err)
	case <-time.After(5 * time.Second):
		cancel()
		t.Fatal("kcmock did not start")
	}
	return ""
}

// quickLimits are the defaults with timeouts short enough for a test.
func quickLimits() limits {
	lim := defaultLimits()
	lim.readHeader = 200 * time.Millisecond
	lim.idle = 200 * time.Millisecond
	return lim
}

const tokenPath = "/realms/demo/protocol/openid-connect/token"

// TestBodyLimit: a body over the limit is refused with 413 and Keycloak's JSON error, whether
// its length is announced or only found out while reading (chunked).
func TestBodyLimit(t *testing.T) {
	addr := startServing(t, quickLimits())
	big := "grant_type=client_credentials&pad=" + strings.Repeat("a", 1<<20)
	for _, chunked := range []bool{false, true} {
		name := "Content-Length"
		var body io.Reader = strings.NewReader(big)
		if chunked {
			name, body = "chunked", io.MultiReader(body) // hides the length: sent chunked
		}
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, "http://"+addr+tokenPath, body)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth("demo-app", "demo-app-secret")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			var m map[string]string
			_ = json.Unmarshal(b, &m)
			if res.StatusCode != http.StatusRequestEntityTooLarge || m["error"] != "invalid_request" {
				t.Errorf("got %d %s; want 413 invalid_request", res.StatusCode, b)
			}
		})
	}
	// Just under the limit is served.
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+tokenPath, strings.NewReader(big[:1<<20-1]))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("demo-app", "demo-app-secret")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("a body of 1 MiB - 1 byte: got %d; want 200", res.StatusCode)
	}
}

// TestHeaderLimit: headers over MaxHeaderBytes are refused with 431 before any handler runs.
func TestHeaderLimit(t *testing.T) {
	addr := startServing(t, quickLimits())
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/realms/demo/.well-known/openid-configuration", nil)
	req.Header.Set("X-Big", strings.Repeat("a", 128<<10))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("got %d; want 431", res.StatusCode)
	}
}

// TestSlowlorisCut: a client that trickles its headers one byte at a time is disconnected
// once ReadHeaderTimeout has passed since its first byte, however steadily it sends; a normal
// request made meanwhile is served at once.
func TestSlowlorisCut(t *testing.T) {
	lim := quickLimits()
	addr := startServing(t, lim)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := io.WriteString(conn, "GET /realms/demo/.well-known/openid-configuration HTTP/1.1\r\nHost: kcmock\r\n"); err != nil {
		t.Fatal(err)
	}
	cut := make(chan time.Duration, 1)
	go func() {
		// Go's server answers a header timeout with a bare 400 and closes the connection.
		b, _ := io.ReadAll(conn)
		if len(b) > 0 && !strings.HasPrefix(string(b), "HTTP/1.1 400 ") {
			t.Errorf("the server answered a request whose headers never ended: %q", b)
		}
		cut <- time.Since(start)
	}()
	trickle := time.NewTicker(20 * time.Millisecond)
	defer trickle.Stop()
	normal := make(chan error, 1)
	go func() {
		time.Sleep(lim.readHeader / 2) // while the slow client is mid-headers
		res, err := http.Get("http://" + addr + "/realms/demo/.well-known/openid-configuration")
		if err == nil {
			res.Body.Close()
			if res.StatusCode != 200 {
				err = &unexpected{res.StatusCode}
			}
		}
		normal <- err
	}()
	var elapsed time.Duration
loop:
	for {
		select {
		case elapsed = <-cut:
			break loop
		case <-trickle.C:
			_, _ = conn.Write([]byte("X")) // "XXXX…": a header line that never ends
		case <-time.After(10 * lim.readHeader):
			t.Fatal("the slow client was not disconnected")
		}
	}
	if elapsed < lim.readHeader-50*time.Millisecond || elapsed > lim.readHeader+500*time.Millisecond {
		t.Errorf("slow client cut after %v; want about %v", elapsed, lim.readHeader)
	}
	select {
	case err := <-normal:
		if err != nil {
			t.Errorf("a normal request during the slow one: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Error("a normal request during the slow one did not complete")
	}
}

// TestIdleTimeout: a keep-alive connection that sends no further request is closed after
// IdleTimeout.
func TestIdleTimeout(t *testing.T) {
	lim := quickLimits()
	addr := startServing(t, lim)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /realms/demo/protocol/openid-connect/certs HTTP/1.1\r\nHost: kcmock\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	idleFrom := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(10 * lim.idle))
	if n, err := br.Read(make([]byte, 1)); n > 0 || err != io.EOF {
		t.Fatalf("idle connection: read %d bytes, %v; want EOF", n, err)
	}
	if d := time.Since(idleFrom); d < lim.idle-20*time.Millisecond || d > lim.idle+500*time.Millisecond {
		t.Errorf("idle connection closed after %v; want about %v", d, lim.idle)
	}
}

type unexpected struct{ status int }

func (u *unexpected) Error() string { return "status " + http.StatusText(u.status) }

package server

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestMiddlewares drives the three middlewares through an echo instance with kcmock's error
// handler: a panic is logged with its stack and answered 500 unknown_error, every request is
// logged once with the status sent, and a body over the limit is 413 whether Content-Length
// says so or the reading finds out.
func TestMiddlewares(t *testing.T) {
	var logs bytes.Buffer
	s := &Server{log: slog.New(slog.NewTextHandler(&logs, nil))}
	e := echo.New()
	e.HTTPErrorHandler = s.handleError
	e.Use(s.recoverPanics, s.logRequests, limitBody(8))
	e.GET("/panic", func(echo.Context) error { panic("boom") })
	e.GET("/error", func(echo.Context) error { return errors.New("broken") })
	e.POST("/read", func(c echo.Context) error {
		b, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return err
		}
		return c.String(http.StatusOK, string(b))
	})
	chunked := func(body string) io.Reader { return io.MultiReader(strings.NewReader(body)) } // no Content-Length
	for _, tc := range []struct {
		name, method, path string
		body               io.Reader
		status             int
		respBody, log      string
		requestLines       int // a panic unwinds past the request logger: its own line stands for it
	}{
		{"panic", http.MethodGet, "/panic", nil, 500, `{"error":"unknown_error","error_description":"For more on this error consult the server log."}`, `msg=panic err=boom path=/panic stack="goroutine `, 0},
		{"error", http.MethodGet, "/error", nil, 500, `{"error":"unknown_error","error_description":"For more on this error consult the server log."}`, `msg="internal error" err=broken`, 1},
		{"within the limit", http.MethodPost, "/read", strings.NewReader("12345678"), 200, "12345678", "status=200", 1},
		{"Content-Length over the limit", http.MethodPost, "/read", strings.NewReader("123456789"), 413, `{"error":"invalid_request","error_description":"Request entity too large"}`, "status=413", 1},
		{"read over the limit", http.MethodPost, "/read", chunked("123456789"), 413, `{"error":"invalid_request","error_description":"Request entity too large"}`, "status=413", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs.Reset()
			req := httptest.NewRequest(tc.method, tc.path, tc.body)
			if tc.name == "read over the limit" {
				req.ContentLength = -1
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if rec.Code != tc.status || strings.TrimSpace(rec.Body.String()) != tc.respBody {
				t.Errorf("got %d %s, want %d %s", rec.Code, rec.Body, tc.status, tc.respBody)
			}
			if !strings.Contains(logs.String(), tc.log) {
				t.Errorf("log lacks %q:\n%s", tc.log, logs.String())
			}
			if n := strings.Count(logs.String(), "msg=request"); n != tc.requestLines {
				t.Errorf("%d request lines, want %d:\n%s", n, tc.requestLines, logs.String())
			}
			if tc.requestLines > 0 && !strings.Contains(logs.String(), "status="+strconv.Itoa(tc.status)) {
				t.Errorf("request line without status %d:\n%s", tc.status, logs.String())
			}
		})
	}
}

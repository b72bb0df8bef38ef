package server

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
)

// clockState is the control API's view of the clock.
type clockState struct {
	Now    string `json:"now"` // RFC 3339, UTC, whole seconds (token times are whole seconds)
	Unix   int64  `json:"unix"`
	Frozen bool   `json:"frozen"`
}

func (s *Server) clockState() clockState {
	now := s.clock.Now()
	return clockState{Now: now.UTC().Format(time.RFC3339), Unix: now.Unix(), Frozen: s.clock.Frozen()}
}

// clockRequest changes the clock. Set takes an RFC 3339 time or Unix seconds; Advance takes a
// Go duration ("90s", "-1h") or seconds.
type clockRequest struct {
	Freeze   bool            `json:"freeze"`
	Unfreeze bool            `json:"unfreeze"`
	Set      json.RawMessage `json:"set"`
	Advance  json.RawMessage `json:"advance"`
}

func (s *Server) controlClockGet(c echo.Context) error {
	return reply(c, http.StatusOK, s.clockState())
}

// controlClockPost applies freeze, set, advance and unfreeze in that order, after checking
// them all, so a bad value changes nothing.
func (s *Server) controlClockPost(c echo.Context) error {
	var req clockRequest
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	var set time.Time
	var advance time.Duration
	if given(req.Set) {
		t, err := parseInstant(req.Set)
		if err != nil {
			return err
		}
		set = t
	}
	if given(req.Advance) {
		d, err := parseSpan(req.Advance, time.Second, "advance")
		if err != nil {
			return err
		}
		advance = d
	}
	if req.Freeze {
		s.clock.Freeze()
	}
	if given(req.Set) {
		s.clock.Set(set)
	}
	if advance != 0 {
		s.clock.Advance(advance)
	}
	if req.Unfreeze {
		s.clock.Unfreeze()
	}
	return reply(c, http.StatusOK, s.clockState())
}

// given reports whether a JSON field was sent with a value (null counts as absent).
func given(raw json.RawMessage) bool { return len(raw) > 0 && string(raw) != "null" }

// parseInstant reads an RFC 3339 string or a number of Unix seconds.
func parseInstant(raw json.RawMessage) (time.Time, error) {
	var str string
	if json.Unmarshal(raw, &str) == nil {
		t, err := time.Parse(time.RFC3339Nano, str)
		if err != nil {
			return time.Time{}, badRequest("set: %q is not an RFC 3339 time (like 2026-01-02T15:04:05Z)", str)
		}
		return t, nil
	}
	n, err := parseNumber(raw, "set")
	if err != nil {
		return time.Time{}, err
	}
	sec, frac := math.Modf(n)
	return time.Unix(int64(sec), int64(frac*1e9)), nil
}

// parseSpan reads a Go duration string ("250ms", "90s") or a number of units.
func parseSpan(raw json.RawMessage, unit time.Duration, field string) (time.Duration, error) {
	var str string
	if json.Unmarshal(raw, &str) == nil {
		d, err := time.ParseDuration(str)
		if err != nil {
			return 0, badRequest("%s: %q is not a duration (like \"90s\", \"250ms\" or \"1h30m\")", field, str)
		}
		return d, nil
	}
	n, err := parseNumber(raw, field)
	if err != nil {
		return 0, err
	}
	return time.Duration(n * float64(unit)), nil
}

func parseNumber(raw json.RawMessage, field string) (float64, error) {
	n, err := strconv.ParseFloat(string(raw), 64)
	// ±2^62 ns is about 146 years: beyond it the conversion to a Duration or a Time overflows.
	if err != nil || math.IsNaN(n) || math.Abs(n) > 1<<62/1e9 {
		return 0, badRequest("%s: want a string or a number, got %s", field, raw)
	}
	return n, nil
}

func (s *Server) controlJournalGet(c echo.Context) error {
	q := c.QueryParams()
	f := JournalFilter{Realm: q.Get("realm"), Client: q.Get("client"), Grant: q.Get("grant"), Outcome: q.Get("outcome"), Endpoint: q.Get("endpoint")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return badRequest("limit: want a whole number ≥ 0, got %q", v)
		}
		f.Limit = n
	}
	return reply(c, http.StatusOK, map[string]any{"entries": s.journal.Entries(f)})
}

func (s *Server) controlJournalDelete(c echo.Context) error {
	s.journal.Reset()
	return reply(c, http.StatusOK, map[string]any{"entries": []Entry{}})
}

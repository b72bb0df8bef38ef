package server

import (
	"sync"
	"time"
)

// Clock is the server's clock: every expiry, session timeout and token validation reads it. It
// follows a base clock (the real one by default) shifted by an offset, or stands frozen.
type Clock struct {
	mu     sync.Mutex
	base   func() time.Time
	offset time.Duration
	frozen bool
	at     time.Time
}

// NewClock makes a clock following base (time.Now when nil).
func NewClock(base func() time.Time) *Clock {
	if base == nil {
		base = time.Now
	}
	return &Clock{base: base}
}

// Now is the current time of the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		return c.at
	}
	return c.base().Add(c.offset)
}

// Freeze stops the clock at its current time.
func (c *Clock) Freeze() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.frozen {
		c.at, c.frozen = c.base().Add(c.offset), true
	}
}

// Unfreeze lets the clock run again from where it stands.
func (c *Clock) Unfreeze() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		c.offset, c.frozen = c.at.Sub(c.base()), false
	}
}

// Set moves the clock to t (frozen or running).
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		c.at = t
	} else {
		c.offset = t.Sub(c.base())
	}
}

// Advance moves the clock forward (or back, for a negative d).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		c.at = c.at.Add(d)
	} else {
		c.offset += d
	}
}

// Frozen reports whether the clock stands still.
func (c *Clock) Frozen() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.frozen
}

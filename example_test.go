package kcmock_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/kcmock/kcmock"
	"github.com/kcmock/kcmock/server"
)

// The scenario of the example: one realm, one confidential client, one user. Its keys are
// not pinned, so WithSeed derives them.
const shop = `
[[realms]]
realm = "shop"

[[realms.clients]]
client_id = "web"
secret = "web-secret"
direct_access_grants_enabled = true

[[realms.users]]
username = "alice"
password = "alice-pw"
email = "alice@example.com"
first_name = "Alice"
last_name = "Liddell"
`

// A login, then the refresh token outlives its 30 minutes: the journal says which check
// refused the refresh.
func Example() {
	srv, err := kcmock.New(
		kcmock.WithScenario(shop),
		kcmock.WithClock(time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)),
		kcmock.WithSeed(42),
	)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	login, err := srv.Token(ctx, "shop", kcmock.PasswordGrant{Client: "web", Secret: "web-secret", Username: "alice", Password: "alice-pw"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("access token valid for", login.ExpiresIn, "s, refresh token for", login.RefreshExpiresIn, "s")

	srv.Clock().Advance(31 * time.Minute)
	_, err = srv.Token(ctx, "shop", kcmock.RefreshGrant{Client: "web", Secret: "web-secret", RefreshToken: login.RefreshToken})
	var te *kcmock.TokenError
	if errors.As(err, &te) {
		fmt.Println("refresh 31 minutes later:", te.Status, te.Code, te.Description)
	}
	for _, e := range srv.Journal(server.JournalFilter{Realm: "shop"}) {
		fmt.Printf("%s %s %s", e.Time.Format(time.TimeOnly), e.Grant, e.Outcome)
		if e.Rule != "" {
			fmt.Printf(" by rule %q", e.Rule)
		}
		fmt.Println()
	}
	// Output:
	// access token valid for 300 s, refresh token for 1800 s
	// refresh 31 minutes later: 400 invalid_grant Token is not active
	// 15:04:05 password granted
	// 15:35:05 refresh_token refused by rule "Token is not active"
}

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"
)

// Token exchange vocabulary (RFC 8693).
const (
	grantExchange   = "urn:ietf:params:oauth:grant-type:token-exchange"
	tokenTypeAccess = "urn:ietf:params:oauth:token-type:access_token"
)

// renewAfter is how long a worker reuses a subject or refresh token: well inside the
// scenarios' 300 s access-token lifespan.
const renewAfter = 60 * time.Second

// Work kinds: what one request costs in public-key operations, which picks the ceiling.
const (
	workNone       = ""
	workSign       = "sign"        // one RS256 signature (refresh and HS512 work is negligible)
	workVerify     = "verify"      // one RS256 verification, no signature
	workVerifySign = "verify+sign" // a subject token verified, a token signed
)

// endpoint is one kind of request to measure.
type endpoint struct {
	name string
	work string
	// newJob prepares one connection's worker, untimed. A skipError skips the endpoint.
	newJob func(c *loadClient) (job, error)
}

// job is one connection's loop body: renew (untimed, may be nil) keeps its tokens fresh,
// request is what is measured.
type job struct {
	renew   func() error
	request func() error
}

// skipError says why an endpoint cannot be measured against this kcmock.
type skipError struct{ why string }

func (e skipError) Error() string { return e.why }

// group is the endpoints served by one scenario; each group gets its own kcmock process.
type group struct {
	name, scenario, realm string
	endpoints             []endpoint
}

func (g group) selected(o options) []endpoint {
	var out []endpoint
	for _, ep := range g.endpoints {
		if o.only == nil || o.only[ep.name] {
			out = append(out, ep)
		}
	}
	return out
}

func endpointNames() []string {
	var names []string
	for _, g := range groups(options{}, "") {
		for _, ep := range g.endpoints {
			names = append(names, ep.name)
		}
	}
	return names
}

func groups(o options, root string) []group {
	client := func(c *loadClient) *loadClient { return c.as(o.client, o.secret) }
	login := url.Values{"grant_type": {"password"}, "username": {o.username}, "password": {o.password}}
	return []group{
		{name: "default scenario", scenario: o.scenario, realm: o.realm, endpoints: []endpoint{
			{"discovery", workNone, func(c *loadClient) (job, error) {
				return job{request: func() error { return c.get("/.well-known/openid-configuration", "issuer") }}, nil
			}},
			{"jwks", workNone, func(c *loadClient) (job, error) {
				return job{request: func() error { return c.get("/protocol/openid-connect/certs", "keys") }}, nil
			}},
			{"client_credentials", workSign, func(c *loadClient) (job, error) {
				return job{request: func() error { _, err := client(c).token(url.Values{"grant_type": {"client_credentials"}}); return err }}, nil
			}},
			{"password", workSign, func(c *loadClient) (job, error) {
				return job{request: func() error { _, err := client(c).token(login); return err }}, nil
			}},
			{"refresh", workSign, func(c *loadClient) (job, error) {
				var rt string
				var at time.Time
				return job{
					renew: func() error {
						if rt != "" && time.Since(at) < renewAfter {
							return nil
						}
						m, err := client(c).token(login)
						rt, at = str(m, "refresh_token"), time.Now()
						return err
					},
					request: func() error {
						m, err := client(c).token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
						if next := str(m, "refresh_token"); next != "" {
							rt = next
						}
						return err
					},
				}, nil
			}},
			{"introspection", workVerify, func(c *loadClient) (job, error) {
				m, err := client(c).token(url.Values{"grant_type": {"client_credentials"}})
				if err != nil {
					return job{}, err
				}
				tok, at := str(m, "access_token"), time.Now()
				intro := func() error {
					return client(c).post("/protocol/openid-connect/token/introspect", url.Values{"token": {tok}}, "active")
				}
				var se *statusError
				if err := intro(); errors.As(err, &se) && (se.status == http.StatusNotFound || se.status == http.StatusMethodNotAllowed) {
					return job{}, skipError{"this kcmock has no introspection endpoint yet (" + se.Error() + ")"}
				}
				return job{
					renew: func() error {
						if time.Since(at) < renewAfter {
							return nil
						}
						m, err := client(c).token(url.Values{"grant_type": {"client_credentials"}})
						tok, at = str(m, "access_token"), time.Now()
						return err
					},
					request: intro,
				}, nil
			}},
		}},
		// scenarios/standard-exchange.toml: alice logs in at the SPA, the gateway exchanges her
		// token for orders-api (the README walkthrough).
		{name: "standard-exchange.toml", scenario: filepath.Join(root, "scenarios", "standard-exchange.toml"), realm: "acme", endpoints: []endpoint{
			{"exchange_standard", workVerifySign, exchangeJob(
				func(c *loadClient) *loadClient { return c.as("", "") },
				url.Values{"grant_type": {"password"}, "client_id": {"web-frontend"}, "username": {"alice"}, "password": {"alice"}},
				func(c *loadClient) *loadClient { return c.as("api-gateway", "gateway-secret") },
				url.Values{"grant_type": {grantExchange}, "subject_token_type": {tokenTypeAccess}, "audience": {"orders-api"}})},
		}},
		// scenarios/eftr-impersonation.toml: the admin's token exchanged for ivan at eftr-service
		// (legacy V1 impersonation, Keycloak 26.0).
		{name: "eftr-impersonation.toml", scenario: filepath.Join(root, "scenarios", "eftr-impersonation.toml"), realm: "EFTR", endpoints: []endpoint{
			{"exchange_legacy", workVerifySign, exchangeJob(
				func(c *loadClient) *loadClient { return c.as("eftr-service-impersonation", "eftr-secret") },
				url.Values{"grant_type": {"password"}, "username": {"admin_impersonation"}, "password": {"admin-pw"}},
				func(c *loadClient) *loadClient { return c.as("eftr-service-impersonation", "eftr-secret") },
				url.Values{"grant_type": {grantExchange}, "subject_token_type": {tokenTypeAccess}, "requested_subject": {"ivan"}, "audience": {"eftr-service"}})},
		}},
	}
}

// exchangeJob logs in (untimed, renewed every renewAfter) and exchanges the access token.
func exchangeJob(loginAs func(*loadClient) *loadClient, login url.Values, exchangeAs func(*loadClient) *loadClient, exchange url.Values) func(*loadClient) (job, error) {
	return func(c *loadClient) (job, error) {
		var subject string
		var at time.Time
		return job{
			renew: func() error {
				if subject != "" && time.Since(at) < renewAfter {
					return nil
				}
				m, err := loginAs(c).token(login)
				subject, at = str(m, "access_token"), time.Now()
				return err
			},
			request: func() error {
				f := url.Values{"subject_token": {subject}}
				for k, v := range exchange {
					f[k] = v
				}
				_, err := exchangeAs(c).token(f)
				return err
			},
		}, nil
	}
}

// loadClient sends requests to one realm, as one client.
type loadClient struct {
	http         *http.Client
	base         string // realm URL
	user, secret string // Basic credentials; none when user is ""
}

func (c *loadClient) as(user, secret string) *loadClient {
	cc := *c
	cc.user, cc.secret = user, secret
	return &cc
}

// get and post check their answer without decoding it (a 200 whose body has a non-empty
// member want), so that the generator spends its share of the cores sending requests: decoding
// a 6.5 KB discovery document costs the generator more than kcmock spends serving it.
func (c *loadClient) get(path, want string) error {
	res, err := c.http.Get(c.base + path)
	return check(res, err, want)
}

func (c *loadClient) post(path string, form url.Values, want string) error {
	res, err := c.http.Do(c.formRequest(path, form))
	return check(res, err, want)
}

func (c *loadClient) token(form url.Values) (map[string]any, error) {
	return c.postJSON("/protocol/openid-connect/token", form, "access_token")
}

func (c *loadClient) postJSON(path string, form url.Values, want string) (map[string]any, error) {
	res, err := c.http.Do(c.formRequest(path, form))
	return decode(res, err, want)
}

func (c *loadClient) formRequest(path string, form url.Values) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode())) // base is a parsed URL
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if c.user != "" {
		req.SetBasicAuth(c.user, c.secret)
	}
	return req
}

// check reads a complete 200 answer whose body holds the member want with a value that is not
// empty, false or null.
func check(res *http.Response, err error, want string) error {
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return &statusError{res.StatusCode, string(b)}
	}
	key := `"` + want + `":`
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return fmt.Errorf("response without %q: %.200s", want, b)
	}
	for _, empty := range []string{`""`, "false", "null", "[]", "{}"} {
		if bytes.HasPrefix(b[i+len(key):], []byte(empty)) {
			return fmt.Errorf("response with an empty %q: %.200s", want, b)
		}
	}
	return nil
}

type statusError struct {
	status int
	body   string
}

func (e *statusError) Error() string { return fmt.Sprintf("%d %.200s", e.status, e.body) }

// decode reads a complete 200 JSON object with a non-empty member want (true for a bool).
func decode(res *http.Response, err error, want string) (map[string]any, error) {
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if res.StatusCode != http.StatusOK || json.Unmarshal(b, &m) != nil {
		return nil, &statusError{res.StatusCode, string(b)}
	}
	switch v := m[want].(type) {
	case string:
		if v != "" {
			return m, nil
		}
	case bool:
		if v {
			return m, nil
		}
	case nil:
	default:
		return m, nil
	}
	return nil, fmt.Errorf("response without %q: %.200s", want, b)
}

func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

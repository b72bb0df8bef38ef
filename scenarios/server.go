package scenarios

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Version is an emulated Keycloak version (major.minor[.patch]).
type Version struct{ Major, Minor, Patch int }

// DefaultVersion is the Keycloak version kcmock emulates unless a scenario says otherwise.
var DefaultVersion = Version{26, 4, 0}

// ParseVersion reads "26", "26.4" or "26.0.1".
func ParseVersion(s string) (Version, error) {
	parts := strings.Split(s, ".")
	if len(parts) > 3 || s == "" {
		return Version{}, fmt.Errorf("%q is not a Keycloak version such as \"26.4\"", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return Version{}, fmt.Errorf("%q is not a Keycloak version such as \"26.4\"", s)
		}
		n[i] = v
	}
	return Version{n[0], n[1], n[2]}, nil
}

// AtLeast reports whether v is the given major.minor or later.
func (v Version) AtLeast(major, minor int) bool {
	return v.Major > major || v.Major == major && v.Minor >= minor
}

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// feature describes a Keycloak server feature: its name as KC_FEATURES spells it, whether it
// is on by default, and the version where it appeared (zero: always there for 26.x).
type feature struct {
	defaultOn bool
	since     Version
}

// knownFeatures lists the Keycloak 26 features a scenario may name. Only some change what kcmock
// does; the others are accepted so that a Keycloak feature list can be pasted unchanged.
var knownFeatures = map[string]feature{
	"token-exchange":           {defaultOn: false},                          // V1, preview
	"token-exchange-standard":  {defaultOn: true, since: Version{26, 2, 0}}, // V2
	"admin-fine-grained-authz": {defaultOn: false},                          // means v1 here; v2 (the 26.2+ default) only affects the admin API
	"organization":             {defaultOn: true},
	"device-flow":              {defaultOn: true},
	"ciba":                     {defaultOn: true},
	"par":                      {defaultOn: true},
	"client-policies":          {defaultOn: true},
	"impersonation":            {defaultOn: true},
	"authorization":            {defaultOn: true},
	"account":                  {defaultOn: true},
	"admin-api":                {defaultOn: true},
	"login":                    {defaultOn: true},
	"web-authn":                {defaultOn: true},
	"kerberos":                 {defaultOn: true},
	"recovery-codes":           {defaultOn: false},
	"update-email":             {defaultOn: false},
	"dpop":                     {defaultOn: false},
	"scripts":                  {defaultOn: false},
	"docker":                   {defaultOn: false},
	"passkeys":                 {defaultOn: false},
	"transient-users":          {defaultOn: false},
	"persistent-user-sessions": {defaultOn: true},
	"step-up-authentication":   {defaultOn: true},
}

// featureName strips a version suffix ("token-exchange:v1" → "token-exchange").
func featureName(s string) (string, string) {
	name, ver, _ := strings.Cut(strings.TrimSpace(s), ":")
	return strings.ToLower(name), ver
}

// resolveServer turns the [server] tables of all files into Server settings.
func resolveServer(docs []*serverDoc, ps []problems) Server {
	srv := Server{Version: DefaultVersion, features: map[string]bool{}}
	versionSet := ""
	enable := map[string]bool{}
	disable := map[string]bool{}
	for i, d := range docs {
		if d == nil {
			continue
		}
		p := ps[i]
		if d.Version != "" {
			v, err := ParseVersion(d.Version)
			switch {
			case err != nil:
				p.add("server.version", "%v", err)
			case v.Major != 26:
				p.add("server.version", "kcmock emulates Keycloak 26.x, not %s", d.Version)
			case versionSet != "" && versionSet != d.Version:
				p.add("server.version", "%q conflicts with %q set by another scenario file", d.Version, versionSet)
			default:
				srv.Version, versionSet = v, d.Version
			}
		}
		for j, f := range d.Features {
			name, ver := featureName(f)
			if !checkFeature(name, ver, idx("server.features", j), p) {
				continue
			}
			// FGAP v2 (the default from 26.2, and what the bare name selects there) only
			// changes the admin API, which kcmock does not serve; v1 is what legacy token
			// exchange reads.
			if name == "admin-fine-grained-authz" && (ver == "v2" || ver == "" && srv.Version.AtLeast(26, 2)) {
				continue
			}
			enable[name] = true
		}
		for j, f := range d.FeaturesDisabled {
			name, ver := featureName(f)
			if checkFeature(name, ver, idx("server.features_disabled", j), p) {
				disable[name] = true
			}
		}
	}
	for name, f := range knownFeatures {
		on := f.defaultOn && srv.Version.AtLeast(f.since.Major, f.since.Minor)
		if enable[name] {
			on = srv.Version.AtLeast(f.since.Major, f.since.Minor)
		}
		if disable[name] {
			on = false
		}
		srv.features[name] = on
	}
	for i, d := range docs {
		if d == nil {
			continue
		}
		for j, f := range d.Features {
			name, _ := featureName(f)
			if kf, ok := knownFeatures[name]; ok && disable[name] {
				ps[i].add(idx("server.features", j), "%q is also in features_disabled", name)
			} else if ok && !srv.Version.AtLeast(kf.since.Major, kf.since.Minor) {
				ps[i].add(idx("server.features", j), "feature %q does not exist before Keycloak %d.%d (server.version is %s)", name, kf.since.Major, kf.since.Minor, srv.Version)
			}
		}
	}
	return srv
}

func checkFeature(name, ver, path string, p problems) bool {
	if _, ok := knownFeatures[name]; !ok {
		names := make([]string, 0, len(knownFeatures))
		for n := range knownFeatures {
			names = append(names, n)
		}
		sort.Strings(names)
		p.add(path, "unknown feature %q (known: %s)", name, strings.Join(names, ", "))
		return false
	}
	if ver != "" && (len(ver) < 2 || ver[0] != 'v') {
		p.add(path, "feature version must look like \"v1\", got %q", ver)
		return false
	}
	return true
}

package server

import (
	"net/http"
	"net/url"

	"github.com/kcmock/kcmock/tokens/mint"
)

// The pages keycloak-js loads in hidden iframes. They are kcmock's own, speaking the same
// postMessage protocol as Keycloak's (login-status-iframe.ftl, 3p-cookies-step1/2 in
// services/src/main/resources/org/keycloak/protocol/oidc/endpoints):
//
//   - the session iframe receives "<client_id> <session id>" and answers "unchanged",
//     "changed" or "error", comparing base64url(SHA-256(session id)) with the
//     KEYCLOAK_SESSION cookie (sessionCookieValue), after asking …/init once whether the
//     client may embed it from that origin;
//   - the third-party cookie check sets a test cookie in step 1, reads it back in step 2 and
//     posts "supported" or "unsupported" to the parent.

// loginStatusIframe is GET /protocol/openid-connect/login-status-iframe.html
// (LoginStatusIframeEndpoint).
func (s *Server) loginStatusIframe(c *call) error { return iframePage(c, loginStatusIframeHTML) }

// thirdPartyCookiesStep1 is GET /protocol/openid-connect/3p-cookies/step1.html.
func (s *Server) thirdPartyCookiesStep1(c *call) error { return iframePage(c, thirdPartyStep1HTML) }

// thirdPartyCookiesStep2 is GET /protocol/openid-connect/3p-cookies/step2.html.
func (s *Server) thirdPartyCookiesStep2(c *call) error { return iframePage(c, thirdPartyStep2HTML) }

// iframePage is IframeUtil.returnIframe: a ?version= other than the server's resource version
// (which kcmock does not have) is 404; without it the page is served uncached, with the P3P
// header and no frame restrictions.
func iframePage(c *call, page string) error {
	if c.QueryParams().Has("version") {
		return c.NoContent(http.StatusNotFound)
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("P3P", `CP="This is not a P3P policy!"`)
	return c.Blob(http.StatusOK, htmlUTF8, []byte(page))
}

// loginStatusInit is GET …/login-status-iframe.html/init (LoginStatusIframeEndpoint.preCheck):
// 204 when the client exists, is enabled and allows the origin among its web origins (the
// server's own origin always counts), 403 otherwise.
func (s *Server) loginStatusInit(c *call) error {
	q := c.QueryParams()
	client := c.realm.model.Client(q.Get("client_id"))
	if client != nil && client.Enabled {
		origins := append(mint.WebOrigins(client), requestOrigin(c.base))
		for _, o := range origins {
			if o == "*" || o == q.Get("origin") {
				return c.NoContent(http.StatusNoContent)
			}
		}
	}
	return c.NoContent(http.StatusForbidden)
}

// requestOrigin is UriUtils.getOrigin of the server's base URL.
func requestOrigin(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

const loginStatusIframeHTML = `<!doctype html>
<html>
<head><meta charset="utf-8"><title>kcmock session status</title></head>
<body>
<script>
(function () {
  "use strict";
  var verified = null, initTried = false;

  window.addEventListener("message", function (event) {
    if (typeof event.data !== "string") return;
    var parts = event.data.split(" ");
    if (parts.length !== 2) return;
    status(parts[0], event.origin, parts[1]).then(function (s) {
      event.source.postMessage(s, event.origin);
    });
  });

  function status(clientId, origin, sessionId) {
    return storageAccess().then(function (access) {
      if (!access) return "error";
      return allowed(clientId, origin).then(function (ok) {
        if (!ok) return "error";
        var cookie = readCookie("KEYCLOAK_SESSION");
        if (cookie === null) return sessionId !== "" ? "changed" : "unchanged";
        if (clientId !== verified.clientId || origin !== verified.origin) return "error";
        return sha256(sessionId).then(function (hash) {
          if (hash === cookie) return "unchanged";
          // Before Keycloak 26.1 the cookie held realm/user/session in clear.
          return cookie.split("/")[2] === sessionId ? "unchanged" : "changed";
        });
      });
    }).catch(function () { return "error"; });
  }

  // allowed asks the server, once, whether the client may use this page from origin.
  function allowed(clientId, origin) {
    if (verified) return Promise.resolve(true);
    if (initTried) return Promise.resolve(false);
    initTried = true;
    var url = new URL(location.origin + location.pathname + "/init");
    url.searchParams.set("client_id", clientId);
    url.searchParams.set("origin", origin);
    return fetch(url).then(function (res) {
      if (res.ok) verified = { clientId: clientId, origin: origin };
      return res.ok;
    });
  }

  function storageAccess() {
    if (!("hasStorageAccess" in document)) return Promise.resolve(true);
    return document.hasStorageAccess().then(function (has) {
      if (has) return true;
      return document.requestStorageAccess().then(function () { return true; }, function () { return false; });
    });
  }

  function readCookie(name) {
    var all = document.cookie.split(";");
    for (var i = 0; i < all.length; i++) {
      var kv = all[i].split("="), v = (kv[1] || "").trim();
      if (kv[0].trim() === name) return v.length > 1 && v[0] === '"' && v[v.length - 1] === '"' ? v.slice(1, -1) : v;
    }
    return null;
  }

  function b64url(bin) {
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // sha256 is base64url(SHA-256(UTF-8 s)); Web Crypto needs a secure context, so plain JS
  // takes over on http pages.
  function sha256(s) {
    if (window.crypto && crypto.subtle && window.TextEncoder) {
      return crypto.subtle.digest("SHA-256", new TextEncoder().encode(s)).then(function (buf) {
        return b64url(String.fromCharCode.apply(null, new Uint8Array(buf)));
      });
    }
    return Promise.resolve(b64url(sha256Bin(s)));
  }

  function sha256Bin(s) {
    var K = [], H = [], i, j, n, c;
    function frac(x) { return (x - Math.floor(x)) * 4294967296 | 0; }
    for (n = 2, c = 0; c < 64; n++) {
      for (j = 2; j * j <= n && n % j; j++) {}
      if (j * j > n) { if (c < 8) H[c] = frac(Math.pow(n, 1 / 2)); K[c++] = frac(Math.pow(n, 1 / 3)); }
    }
    var b = unescape(encodeURIComponent(s)), w = [], l = b.length * 8;
    for (i = 0; i < b.length; i++) w[i >> 2] |= b.charCodeAt(i) << (24 - i % 4 * 8);
    w[l >> 5] |= 0x80 << (24 - l % 32);
    w[((l + 64 >> 9) << 4) + 15] = l;
    for (i = 0; i < w.length; i += 16) {
      var a = H.slice(0), W = [];
      for (j = 0; j < 64; j++) {
        if (j < 16) W[j] = w[i + j] | 0;
        else {
          var x = W[j - 15], y = W[j - 2];
          W[j] = (((x >>> 7 | x << 25) ^ (x >>> 18 | x << 14) ^ x >>> 3) + W[j - 7] +
            ((y >>> 17 | y << 15) ^ (y >>> 19 | y << 13) ^ y >>> 10) + W[j - 16]) | 0;
        }
        var e = a[4], t1 = a[7] + ((e >>> 6 | e << 26) ^ (e >>> 11 | e << 21) ^ (e >>> 25 | e << 7)) +
          (e & a[5] ^ ~e & a[6]) + K[j] + W[j];
        var f = a[0], t2 = ((f >>> 2 | f << 30) ^ (f >>> 13 | f << 19) ^ (f >>> 22 | f << 10)) +
          (f & a[1] ^ f & a[2] ^ a[1] & a[2]);
        a = [(t1 + t2) | 0].concat(a);
        a[4] = (a[4] + t1) | 0;
        a.length = 8;
      }
      for (j = 0; j < 8; j++) H[j] = (H[j] + a[j]) | 0;
    }
    var out = "";
    for (i = 0; i < 32; i++) out += String.fromCharCode(H[i >> 2] >>> (24 - i % 4 * 8) & 255);
    return out;
  }
})();
</script>
</body>
</html>
`

const thirdPartyStep1HTML = `<!doctype html>
<html>
<head><meta charset="utf-8"><title>kcmock third-party cookie check</title></head>
<body>
<script>
(function () {
  "use strict";
  function storageAccess() {
    if (!("hasStorageAccess" in document)) return Promise.resolve(true);
    return document.hasStorageAccess().then(function (has) {
      if (has) return true;
      return document.requestStorageAccess().then(function () { return true; }, function () { return false; });
    });
  }
  storageAccess().then(function (access) {
    if (!access) {
      window.parent.postMessage("unsupported", "*");
      return;
    }
    // Step 2 reads these back: only a browser that keeps third-party cookies still has them.
    document.cookie = "KEYCLOAK_3P_COOKIE_SAMESITE=supported; Max-Age=60; SameSite=None; Secure";
    document.cookie = "KEYCLOAK_3P_COOKIE=supported; Max-Age=60";
    window.location = "step2.html";
  });
})();
</script>
</body>
</html>
`

const thirdPartyStep2HTML = `<!doctype html>
<html>
<head><meta charset="utf-8"><title>kcmock third-party cookie check</title></head>
<body>
<script>
(function () {
  "use strict";
  var supported = document.cookie.indexOf("KEYCLOAK_3P_COOKIE") !== -1;
  if (supported) {
    document.cookie = "KEYCLOAK_3P_COOKIE_SAMESITE=; Max-Age=0";
    document.cookie = "KEYCLOAK_3P_COOKIE=; Max-Age=0";
  }
  window.parent.postMessage(supported ? "supported" : "unsupported", "*");
})();
</script>
</body>
</html>
`

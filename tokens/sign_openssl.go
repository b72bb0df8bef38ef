//go:build openssl && cgo

package tokens

// The opt-in OpenSSL signer: `go build -tags openssl ./cmd/kcmock` (cgo, libssl-dev and
// pkg-config) makes Key.Sign use the system's libcrypto for RS256/384/512 and PS256/384/512.
// RSA-2048 signing is about 2.5 times faster in OpenSSL's assembly than in Go's crypto/rsa, and
// signing is most of the cost of a token. The JWS is unchanged: the header is built in Go, and
// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2) is deterministic, so OpenSSL's RS* signatures equal Go's
// byte for byte (sign_openssl_test.go checks it). PS* signatures are randomized in both.

/*
#cgo pkg-config: libcrypto
#include <openssl/opensslv.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#if OPENSSL_VERSION_NUMBER < 0x10101000L
#error "kcmock's openssl build tag needs OpenSSL 1.1.1 or later (EVP_DigestSign)"
#endif

// kcmock_err takes the thread's last OpenSSL error and empties the queue, so that a failure
// leaves nothing behind on a thread Go reuses. It is never 0.
static unsigned long kcmock_err(void) {
	unsigned long e = ERR_peek_last_error();
	ERR_clear_error();
	return e != 0 ? e : ERR_PACK(ERR_LIB_NONE, 0, ERR_R_INTERNAL_ERROR);
}

typedef struct {
	EVP_PKEY *pkey;
	int size; // signature size in bytes
	unsigned long err;
} kcmock_key;

// kcmock_rsa_key parses a PKCS #1 RSAPrivateKey.
static kcmock_key kcmock_rsa_key(const unsigned char *der, long len) {
	kcmock_key r = {NULL, 0, 0};
	const unsigned char *p = der;
	r.pkey = d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, len);
	if (r.pkey == NULL) {
		r.err = kcmock_err();
	} else {
		r.size = EVP_PKEY_size(r.pkey);
	}
	return r;
}

typedef struct {
	size_t len;
	unsigned long err;
} kcmock_sig;

// kcmock_sign hashes and signs in with pkey, PKCS #1 v1.5 or (pss != 0) PSS with a salt as long
// as the hash (RFC 7518 §3.5). One call does the whole signature, so OpenSSL's per-thread error
// queue is read on the thread that filled it. The EVP_MD_CTX is the call's own: the EVP_PKEY is
// shared by every thread and only read.
static kcmock_sig kcmock_sign(EVP_PKEY *pkey, int bits, int pss, const unsigned char *in, size_t inlen, unsigned char *sig, size_t siglen) {
	kcmock_sig r = {siglen, 0};
	const EVP_MD *md = bits == 256 ? EVP_sha256() : bits == 384 ? EVP_sha384() : EVP_sha512();
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (ctx == NULL || EVP_DigestSignInit(ctx, &pctx, md, NULL, pkey) != 1) {
		goto fail;
	}
	if (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
			EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)) {
		goto fail;
	}
	if (EVP_DigestSign(ctx, sig, &r.len, in, inlen) != 1) {
		goto fail;
	}
	EVP_MD_CTX_free(ctx);
	return r;
fail:
	r.len = 0;
	r.err = kcmock_err();
	EVP_MD_CTX_free(ctx);
	return r;
}
*/
import "C"

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"unsafe"
	"weak"
)

// nativeSigner names the RSA implementation behind Key.Sign.
const nativeSigner = "openssl"

// osslKeys caches each RSA private key's OpenSSL copy, converted on its first signature. It is
// keyed by the *rsa.PrivateKey rather than held in Key because Keys are copied by value (a
// copy with another alg or kid shares the signer and so shares the EVP_PKEY), and weakly, so
// that a key dropped by rotation frees its EVP_PKEY through a cleanup instead of living on.
// This cache is the one piece of package state; what it holds is derived from immutable keys.
var osslKeys sync.Map // weak.Pointer[rsa.PrivateKey] → *osslKey

type osslKey struct {
	once sync.Once
	pkey *C.EVP_PKEY // nil when the conversion failed
	err  error
}

// osslKeyFor returns priv's EVP_PKEY, converting it once. The caller keeps priv alive
// (runtime.KeepAlive) while it uses the result, since priv's cleanup frees it.
func osslKeyFor(priv *rsa.PrivateKey) (*C.EVP_PKEY, error) {
	wp := weak.Make(priv)
	v, ok := osslKeys.Load(wp)
	if !ok {
		var loaded bool
		if v, loaded = osslKeys.LoadOrStore(wp, new(osslKey)); !loaded {
			runtime.AddCleanup(priv, freeOSSLKey, wp)
		}
	}
	e := v.(*osslKey)
	e.once.Do(func() { e.pkey, e.err = toOSSLKey(priv) })
	return e.pkey, e.err
}

// freeOSSLKey runs once the *rsa.PrivateKey is unreachable: no signature can be in flight.
func freeOSSLKey(wp weak.Pointer[rsa.PrivateKey]) {
	v, ok := osslKeys.LoadAndDelete(wp)
	if !ok {
		return
	}
	e := v.(*osslKey)
	e.once.Do(func() {}) // orders the read of pkey after the conversion that wrote it
	if e.pkey != nil {
		C.EVP_PKEY_free(e.pkey)
	}
}

// toOSSLKey hands priv to OpenSSL as PKCS #1 DER, and wipes the Go copy of the DER afterwards.
func toOSSLKey(priv *rsa.PrivateKey) (*C.EVP_PKEY, error) {
	der := x509.MarshalPKCS1PrivateKey(priv)
	defer clear(der)
	r := C.kcmock_rsa_key((*C.uchar)(unsafe.Pointer(&der[0])), C.long(len(der)))
	if r.pkey == nil {
		return nil, fmt.Errorf("openssl: load RSA key: %s", osslError(r.err))
	}
	if int(r.size) != priv.Size() {
		C.EVP_PKEY_free(r.pkey)
		return nil, fmt.Errorf("openssl: RSA key of %d bytes loaded as %d", priv.Size(), r.size)
	}
	return r.pkey, nil
}

// signRSANative signs the JWS signing input with OpenSSL for RS* and PS*; ok is false for
// anything else, which Go then signs.
func signRSANative(priv *rsa.PrivateKey, spec algSpec, input []byte) (sig []byte, ok bool, err error) {
	var bits C.int
	switch spec.hash {
	case crypto.SHA256:
		bits = 256
	case crypto.SHA384:
		bits = 384
	case crypto.SHA512:
		bits = 512
	default:
		return nil, false, nil
	}
	var pss C.int
	switch spec.kind {
	case kindRSA:
	case kindRSAPSS:
		pss = 1
	default:
		return nil, false, nil
	}
	if len(input) == 0 {
		return nil, true, errors.New("openssl: empty signing input") // a JWS input has a header
	}
	pkey, err := osslKeyFor(priv)
	if err != nil {
		return nil, true, err
	}
	sig = make([]byte, priv.Size())
	r := C.kcmock_sign(pkey, bits, pss, (*C.uchar)(unsafe.Pointer(&input[0])), C.size_t(len(input)),
		(*C.uchar)(unsafe.Pointer(&sig[0])), C.size_t(len(sig)))
	runtime.KeepAlive(priv)
	if r.err != 0 {
		return nil, true, fmt.Errorf("openssl: sign: %s", osslError(r.err))
	}
	if int(r.len) != len(sig) {
		return nil, true, fmt.Errorf("openssl: signature of %d bytes, want %d", r.len, len(sig))
	}
	return sig, true, nil
}

// osslError is OpenSSL's text for an error code ("error:...:reason").
func osslError(code C.ulong) string {
	var buf [256]C.char
	C.ERR_error_string_n(code, &buf[0], C.size_t(len(buf)))
	return C.GoString(&buf[0])
}

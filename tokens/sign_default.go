//go:build !(openssl && cgo)

package tokens

import "crypto/rsa"

// nativeSigner names the RSA implementation behind Key.Sign: "" means Go's crypto/rsa. Build
// with -tags openssl (and cgo) to sign with OpenSSL instead; see sign_openssl.go.
const nativeSigner = ""

// signRSANative always declines in the default build, which stays pure Go and static
// (CGO_ENABLED=0).
func signRSANative(*rsa.PrivateKey, algSpec, []byte) (sig []byte, ok bool, err error) {
	return nil, false, nil
}

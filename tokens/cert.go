package tokens

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"
	"unicode/utf16"
)

// maxCNLen is RFC 5280's ub-common-name; Keycloak's CertificateUtils truncates longer realm names
// (counted in UTF-16 units, as Java's String.substring does).
const maxCNLen = 64

// certValidityYears is how long Keycloak's generated certificates are valid.
const certValidityYears = 10

// X.509 object identifiers used by the certificate below (RFC 4519, RFC 4055, RFC 5758, RFC 8410).
var (
	oidCommonName      = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidSHA256WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSAWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	oidEd25519         = asn1.ObjectIdentifier{1, 3, 101, 112}
)

// tbsCertificateV1 is an X.509 v1 TBSCertificate (RFC 5280 §4.1 without version or extensions).
// Keycloak makes v1 certificates (BouncyCastle X509v1CertificateBuilder, DER "MIICozCCAYsCBg…");
// crypto/x509 can only make v3, so the structure is marshalled by hand.
type tbsCertificateV1 struct {
	SerialNumber *big.Int
	Signature    pkix.AlgorithmIdentifier
	Issuer       asn1.RawValue
	Validity     certValidity
	Subject      asn1.RawValue
	PublicKey    asn1.RawValue
}

type certValidity struct {
	NotBefore, NotAfter time.Time
}

type certificateV1 struct {
	TBSCertificate     asn1.RawValue
	SignatureAlgorithm pkix.AlgorithmIdentifier
	SignatureValue     asn1.BitString
}

// utf8AttributeTypeAndValue is written as UTF8String, as BouncyCastle's X500Name writes CN;
// crypto/x509 would choose PrintableString for a plain ASCII name.
type utf8AttributeTypeAndValue struct {
	Type  asn1.ObjectIdentifier
	Value string `asn1:"utf8"`
}

// rdnSET is one RelativeDistinguishedName; the "SET" suffix makes encoding/asn1 write a SET.
type rdnSET []utf8AttributeTypeAndValue

// selfSignedCert makes Keycloak's realm key certificate: X.509 v1, subject = issuer = CN=realmName,
// serial = now in milliseconds, valid from now for ten years, signed SHA256withRSA for RSA keys
// (ECDSA with the curve's hash, or Ed25519, for the other key types). Every one of these
// signatures is deterministic (ECDSA by RFC 6979), so the same (key, realmName, now) gives the
// same bytes.
func selfSignedCert(signer crypto.Signer, realmName string, now time.Time) ([]byte, error) {
	spki, err := x509.MarshalPKIXPublicKey(signer.Public())
	if err != nil {
		return nil, fmt.Errorf("tokens: certificate: %w", err)
	}
	name, err := asn1.Marshal([]rdnSET{{{Type: oidCommonName, Value: truncateCN(realmName)}}})
	if err != nil {
		return nil, fmt.Errorf("tokens: certificate name: %w", err)
	}
	sigAlg, hash := certSigAlg(signer)
	notBefore := now.UTC().Truncate(time.Second)
	tbs, err := asn1.Marshal(tbsCertificateV1{
		SerialNumber: big.NewInt(now.UnixMilli()),
		Signature:    sigAlg,
		Issuer:       asn1.RawValue{FullBytes: name},
		Validity:     certValidity{NotBefore: notBefore, NotAfter: notBefore.AddDate(certValidityYears, 0, 0)},
		Subject:      asn1.RawValue{FullBytes: name},
		PublicKey:    asn1.RawValue{FullBytes: spki},
	})
	if err != nil {
		return nil, fmt.Errorf("tokens: certificate: %w", err)
	}
	sig, err := certSign(signer, hash, tbs)
	if err != nil {
		return nil, fmt.Errorf("tokens: sign certificate: %w", err)
	}
	return asn1.Marshal(certificateV1{
		TBSCertificate:     asn1.RawValue{FullBytes: tbs},
		SignatureAlgorithm: sigAlg,
		SignatureValue:     asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)},
	})
}

// certSigAlg picks the certificate signature algorithm for the key type.
func certSigAlg(signer crypto.Signer) (pkix.AlgorithmIdentifier, crypto.Hash) {
	switch k := signer.(type) {
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P384():
			return pkix.AlgorithmIdentifier{Algorithm: oidECDSAWithSHA384}, crypto.SHA384
		case elliptic.P521():
			return pkix.AlgorithmIdentifier{Algorithm: oidECDSAWithSHA512}, crypto.SHA512
		}
		return pkix.AlgorithmIdentifier{Algorithm: oidECDSAWithSHA256}, crypto.SHA256
	case ed25519.PrivateKey:
		return pkix.AlgorithmIdentifier{Algorithm: oidEd25519}, 0
	}
	// RSA: the parameters are an explicit NULL, as RFC 4055 asks and BouncyCastle writes.
	return pkix.AlgorithmIdentifier{Algorithm: oidSHA256WithRSA, Parameters: asn1.NullRawValue}, crypto.SHA256
}

func certSign(signer crypto.Signer, hash crypto.Hash, tbs []byte) ([]byte, error) {
	switch k := signer.(type) {
	case ed25519.PrivateKey:
		return ed25519.Sign(k, tbs), nil
	case *ecdsa.PrivateKey:
		h := hash.New()
		h.Write(tbs)
		// A nil reader asks for RFC 6979's deterministic signature, so a derived key
		// (DeriveKey) gets the same certificate bytes on every run.
		return k.Sign(nil, h.Sum(nil), hash)
	case *rsa.PrivateKey:
		h := hash.New()
		h.Write(tbs)
		return rsa.SignPKCS1v15(nil, k, hash, h.Sum(nil)) // deterministic: no randomness used
	}
	return nil, fmt.Errorf("unsupported key type %T", signer)
}

func truncateCN(cn string) string {
	units := 0
	for i, r := range cn {
		n := utf16.RuneLen(r)
		if n < 0 {
			n = 1
		}
		if units+n > maxCNLen {
			return cn[:i]
		}
		units += n
	}
	return cn
}

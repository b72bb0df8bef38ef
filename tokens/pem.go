package tokens

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"time"
)

// ParseKey builds a Key from a PEM private key (PKCS#1, PKCS#8 or SEC1 EC), and optionally a PEM
// certificate (if empty, a self-signed cert is made with notBefore=now). Error if the key type
// does not fit alg (e.g. an EC key for RS256, or a P-256 key for ES384), or if the certificate
// is for another key.
//
// Both inputs may also be bare base64 DER without the PEM armour, which is how Keycloak's realm
// export stores the privateKey and certificate of its rsa, ecdsa and eddsa key providers.
func ParseKey(alg, use, realmName string, keyPEM, certPEM []byte, now time.Time) (*Key, error) {
	keyDER, err := pemOrBase64(keyPEM, "private key")
	if err != nil {
		return nil, err
	}
	signer, err := parsePrivateKey(keyDER)
	if err != nil {
		return nil, err
	}
	if err := checkKeyFits(alg, use, signer); err != nil {
		return nil, err
	}
	var certDER []byte
	if len(bytes.TrimSpace(certPEM)) > 0 {
		if certDER, err = pemOrBase64(certPEM, "certificate"); err != nil {
			return nil, err
		}
		if err := checkCertMatches(certDER, signer.Public()); err != nil {
			return nil, err
		}
	}
	return newKey(alg, use, realmName, signer, certDER, now)
}

// pemOrBase64 returns the DER in the first PEM block of in, or in itself decoded as standard
// base64 when it holds no PEM block.
func pemOrBase64(in []byte, what string) ([]byte, error) {
	if block, _ := pem.Decode(in); block != nil {
		return block.Bytes, nil
	}
	der, err := base64.StdEncoding.DecodeString(string(bytes.Join(bytes.Fields(in), nil)))
	if err != nil || len(der) == 0 {
		return nil, fmt.Errorf("tokens: %s is neither PEM nor base64 DER", what)
	}
	return der, nil
}

// parsePrivateKey tries the three encodings in turn; the DER itself says which one it is, so
// the PEM block type need not be trusted.
func parsePrivateKey(der []byte) (crypto.Signer, error) {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		s, ok := k.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("tokens: unsupported private key type %T", k)
		}
		return s, nil
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	return nil, errors.New("tokens: private key is not PKCS#1, PKCS#8 or SEC1 DER")
}

// checkCertMatches refuses a certificate that does not carry the private key's public key, as
// Keycloak's imported key providers do ("Certificate does not match private key").
func checkCertMatches(certDER []byte, pub crypto.PublicKey) error {
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return fmt.Errorf("tokens: certificate: %w", err)
	}
	eq, ok := pub.(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !eq.Equal(cert.PublicKey) {
		return errors.New("tokens: certificate does not match private key")
	}
	return nil
}

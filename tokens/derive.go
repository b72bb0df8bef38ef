package tokens

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"sync"
	"time"
)

// rsaPublicExponent is F4, the exponent of every key Keycloak and Go generate.
const rsaPublicExponent = 65537

// DeriveKey makes the same key for alg on every call with the same (realmName, alg, use, seed):
// kcmock's deterministic mode, where two runs with one seed and one clock serve byte-identical
// keys, certificates and tokens. The key's own seed is SHA-256 over the seed, realm, alg and
// use (see keySeed); a ChaCha8 stream from it feeds the key material. now dates the
// self-signed certificate, as in GenerateKey.
//
// Go's own generators cannot be used: since Go 1.26 rsa.GenerateKey and ecdsa.GenerateKey
// ignore their reader. So RSA primes are searched here with math/big (ProbablyPrime, 20
// Miller-Rabin rounds plus Baillie-PSW), the ECDSA scalar is drawn by rejection sampling and
// loaded with ecdsa.ParseRawPrivateKey, and Ed25519 uses ed25519.NewKeyFromSeed. The keys are
// as strong as the seed is secret: a derived key belongs in tests and development only.
func DeriveKey(alg, use, realmName string, seed []byte, now time.Time) (*Key, error) {
	spec, err := checkAlgUse(alg, use)
	if err != nil {
		return nil, err
	}
	stream := rand.NewChaCha8(keySeed(seed, realmName, alg, use))
	var signer crypto.Signer
	switch spec.kind {
	case kindRSA, kindRSAPSS, kindRSAEnc:
		signer, err = deriveRSA(stream, rsaBits)
	case kindEC:
		signer, err = deriveECDSA(stream, spec.curve)
	case kindEd25519:
		var s [ed25519.SeedSize]byte
		_, _ = stream.Read(s[:]) // ChaCha8.Read never fails
		signer = ed25519.NewKeyFromSeed(s[:])
	}
	if err != nil {
		return nil, fmt.Errorf("tokens: derive %s key: %w", alg, err)
	}
	return newKey(alg, use, realmName, signer, nil, now)
}

// DeriveHMACKey makes the same HS512 refresh-token key (UUID kid and 64-byte secret, laid
// out as GenerateHMACKey reads them) on every call with the same realm and seed.
func DeriveHMACKey(realmName string, seed []byte) (*HMACKey, error) {
	return GenerateHMACKey(rand.NewChaCha8(keySeed(seed, realmName, algHS512, UseSig)))
}

// keySeed is the seed of one key: SHA-256 over a label and the length-prefixed seed, realm,
// alg and use. The length prefixes keep ("ab", "c") and ("a", "bc") apart.
func keySeed(seed []byte, realmName, alg, use string) [32]byte {
	h := sha256.New()
	h.Write([]byte("kcmock derived key v1"))
	for _, part := range [][]byte{seed, []byte(realmName), []byte(alg), []byte(use)} {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(part)))
		h.Write(n[:])
		h.Write(part)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// deriveRSA builds a two-prime RSA key with e = 65537 and a modulus of exactly bits bits. The
// checks are those of FIPS 186-5 A.1.3 that matter here: gcd(e, p-1) = gcd(e, q-1) = 1 and
// |p - q| > 2^(bits/2 - 100).
func deriveRSA(r io.Reader, bits int) (*rsa.PrivateKey, error) {
	e := big.NewInt(rsaPublicExponent)
	one := big.NewInt(1)
	p, err := derivePrime(r, bits/2, e)
	if err != nil {
		return nil, err
	}
	var q *big.Int
	for {
		if q, err = derivePrime(r, bits/2, e); err != nil {
			return nil, err
		}
		if new(big.Int).Sub(p, q).CmpAbs(new(big.Int).Lsh(one, uint(bits/2-100))) > 0 {
			break
		}
	}
	n := new(big.Int).Mul(p, q)
	if n.BitLen() != bits {
		return nil, fmt.Errorf("modulus has %d bits, want %d", n.BitLen(), bits) // cannot happen: both top bits are set
	}
	pm1, qm1 := new(big.Int).Sub(p, one), new(big.Int).Sub(q, one)
	// d = e^-1 mod lcm(p-1, q-1), the smallest private exponent (FIPS 186-5 A.1.1).
	g := new(big.Int).GCD(nil, nil, pm1, qm1)
	lambda := new(big.Int).Div(new(big.Int).Mul(pm1, qm1), g)
	d := new(big.Int).ModInverse(e, lambda)
	if d == nil {
		return nil, errors.New("e is not invertible") // cannot happen: gcd(e, p-1) = gcd(e, q-1) = 1
	}
	key := &rsa.PrivateKey{
		PublicKey: rsa.PublicKey{N: n, E: rsaPublicExponent},
		D:         d,
		Primes:    []*big.Int{p, q},
	}
	key.Precomputed.Dp = new(big.Int).Mod(d, pm1)
	key.Precomputed.Dq = new(big.Int).Mod(d, qm1)
	key.Precomputed.Qinv = new(big.Int).ModInverse(q, p)
	key.Precompute()
	if err := key.Validate(); err != nil {
		return nil, err
	}
	return key, nil
}

// derivePrime searches a bits-bit prime p with gcd(e, p-1) = 1. It draws a start with the two
// top bits set (so that the product of two primes has exactly 2*bits bits) and the low bit
// set, then walks up the odd numbers, skipping those a small prime divides (a sieve on the
// start's residues), and tests the rest with ProbablyPrime. The result depends only on the
// stream.
func derivePrime(r io.Reader, bits int, e *big.Int) (*big.Int, error) {
	buf := make([]byte, bits/8)
	sieve := smallPrimes()
	residues := make([]uint64, len(sieve))
	base, p, m := new(big.Int), new(big.Int), new(big.Int)
	for range 64 {
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		buf[0] |= 0xc0
		buf[len(buf)-1] |= 1
		base.SetBytes(buf)
		for i, q := range sieve {
			residues[i] = m.Mod(base, new(big.Int).SetUint64(q)).Uint64()
		}
		eRes := m.Mod(base, e).Uint64()
		eVal := e.Uint64()
	next:
		for delta := uint64(0); delta < 1<<20; delta += 2 {
			for i, q := range sieve {
				if (residues[i]+delta)%q == 0 {
					continue next
				}
			}
			// e is prime, so gcd(e, p-1) = 1 unless e divides p-1.
			if (eRes+delta)%eVal == 1 {
				continue
			}
			p.Add(base, new(big.Int).SetUint64(delta))
			if p.BitLen() != bits {
				break // walked past the top: draw another start
			}
			if p.ProbablyPrime(20) {
				return p, nil
			}
		}
	}
	return nil, errors.New("no prime found") // a prime gap of 2^20 near 2^1024 is unheard of
}

// smallPrimes are the odd primes below 2^13, for derivePrime's sieve.
var smallPrimes = sync.OnceValue(func() []uint64 {
	const limit = 1 << 13
	composite := make([]bool, limit)
	var out []uint64
	for i := 3; i < limit; i += 2 {
		if composite[i] {
			continue
		}
		out = append(out, uint64(i))
		for j := i * i; j < limit; j += 2 * i {
			composite[j] = true
		}
	}
	return out
})

// deriveECDSA draws a scalar in [1, n-1] by rejection sampling (the bits above the order's
// length are masked, so a draw succeeds at least half the time).
func deriveECDSA(r io.Reader, curve elliptic.Curve) (*ecdsa.PrivateKey, error) {
	params := curve.Params()
	size := (params.BitSize + 7) / 8
	buf := make([]byte, size)
	excess := uint(size*8 - params.N.BitLen())
	k := new(big.Int)
	for range 1 << 10 {
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		buf[0] &= 0xff >> excess
		k.SetBytes(buf)
		if k.Sign() == 0 || k.Cmp(params.N) >= 0 {
			continue
		}
		return ecdsa.ParseRawPrivateKey(curve, buf)
	}
	return nil, errors.New("no scalar found")
}

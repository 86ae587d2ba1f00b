package install

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// sealVersion starts every ciphertext. There is one key today: rotating
// CAIS_TOKEN_KEY means re-sealing every token or reinstalling (README);
// the byte leaves room for a key id later.
const sealVersion = 1

// ErrSealed is returned for a ciphertext that does not open: another key,
// another team's token moved here, or bytes changed in Redis.
var ErrSealed = errors.New("install: a stored token does not open with CAIS_TOKEN_KEY (another key, another workspace's record, or altered)")

// Sealer encrypts tokens with AES-256-GCM under CAIS_TOKEN_KEY.
type Sealer struct{ aead cipher.AEAD }

// NewSealer takes the 32-byte key.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("install: the token key has %d bytes, want 32", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// aad binds a ciphertext to the installation it belongs to and to what
// it is (bot or refresh token): moved anywhere else, it does not open.
func aad(k Key, field string) []byte {
	return []byte("caisbot/install/v1/" + k.String() + "/" + field)
}

// seal returns version, random nonce and ciphertext; empty stays empty.
func (s *Sealer) seal(k Key, field string, t Token) []byte {
	if t == "" {
		return nil
	}
	out := make([]byte, 1+s.aead.NonceSize(), 1+s.aead.NonceSize()+len(t)+s.aead.Overhead())
	out[0] = sealVersion
	_, _ = rand.Read(out[1:]) // crypto/rand never fails on Linux (Go 1.24+ panics instead)
	return s.aead.Seal(out, out[1:], []byte(t), aad(k, field))
}

func (s *Sealer) open(k Key, field string, b []byte) (Token, error) {
	if len(b) == 0 {
		return "", nil
	}
	n := s.aead.NonceSize()
	if len(b) < 1+n+s.aead.Overhead() || b[0] != sealVersion {
		return "", ErrSealed
	}
	plain, err := s.aead.Open(nil, b[1:1+n], b[1+n:], aad(k, field))
	if err != nil {
		return "", ErrSealed
	}
	return Token(plain), nil
}

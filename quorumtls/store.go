package quorumtls

import (
	"crypto"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
)

// storeType is a store's file format.
type storeType string

const (
	typePEM    storeType = "PEM"
	typePKCS12 storeType = "PKCS12"
	typeJKS    storeType = "JKS"
)

// storeFile is a store's bytes and password as read at one moment.
type storeFile struct {
	prefix   string // ssl.quorum.keyStore or ssl.quorum.trustStore
	path     string
	typ      storeType
	data     []byte
	password string
	// digest covers the store and its password file: what the reload
	// watcher compares.
	digest [sha256.Size]byte
}

// readStore reads a store's file and password (validated options).
func readStore(s Store, prefix string) (*storeFile, error) {
	typ, err := s.resolvedType(prefix)
	if err != nil {
		return nil, err
	}
	f := &storeFile{prefix: prefix, path: s.Location, typ: typ}
	f.data, err = os.ReadFile(s.Location)
	if err != nil {
		return nil, storeErr(prefix+".location", s.Location, ErrStoreRead, err, "cannot read the "+storeKind(prefix)+": "+pathReason(err))
	}
	h := sha256.New()
	h.Write(f.data)
	f.password = s.Password
	if s.PasswordPath != "" {
		secret, err := os.ReadFile(s.PasswordPath)
		if err != nil {
			return nil, storeErr(prefix+".passwordPath", s.PasswordPath, ErrStoreRead, err, "cannot read the password file: "+pathReason(err))
		}
		h.Write(secret)
		f.password = readSecret(secret)
	}
	copy(f.digest[:], h.Sum(nil))
	return f, nil
}

// readSecret is SecretUtils.readSecret: the file's text less one trailing
// line separator; no other trimming.
func readSecret(b []byte) string {
	return strings.TrimSuffix(string(b), "\n")
}

// pathReason is an *fs.PathError's cause without the path, which the
// *StoreError names already.
func pathReason(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func storeKind(prefix string) string {
	if prefix == keyStorePrefix {
		return "key store"
	}
	return "trust store"
}

// LoadKeyStore reads the key store s (a PEM, PKCS12 or JKS file, as
// ZooKeeper reads ssl.quorum.keyStore.*) into a certificate with its
// chain, checking that the key is the first certificate's. Errors are
// *OptionError or *StoreError.
func LoadKeyStore(s Store) (tls.Certificate, error) {
	f, err := readStore(s, keyStorePrefix)
	if err != nil {
		return tls.Certificate{}, err
	}
	return f.keyPair()
}

// LoadTrustStore reads the trust store s (as ZooKeeper reads
// ssl.quorum.trustStore.*): the certificates it trusts. Errors are
// *OptionError or *StoreError.
func LoadTrustStore(s Store) ([]*x509.Certificate, error) {
	f, err := readStore(s, trustStorePrefix)
	if err != nil {
		return nil, err
	}
	return f.trusted()
}

// keyPair parses a key store.
func (f *storeFile) keyPair() (tls.Certificate, error) {
	var (
		key   crypto.PrivateKey
		chain []*x509.Certificate
		err   error
	)
	switch f.typ {
	case typePEM:
		key, chain, err = pemKeyStore(f.data, f.password)
	case typePKCS12:
		key, chain, err = pkcs12KeyStore(f.data, f.password)
	case typeJKS:
		key, chain, err = jksKeyStore(f.data, f.password)
	}
	if err != nil {
		return tls.Certificate{}, f.formatErr(err)
	}
	if len(chain) == 0 {
		return tls.Certificate{}, f.errorf(ErrStoreFormat, nil, "no certificate in the %s %s", f.typ, storeKind(f.prefix))
	}
	if key == nil {
		return tls.Certificate{}, f.errorf(ErrStoreFormat, nil, "no private key in the %s %s", f.typ, storeKind(f.prefix))
	}
	pub, ok := key.(interface{ Public() crypto.PublicKey })
	if !ok {
		return tls.Certificate{}, f.errorf(ErrStoreFormat, nil, "unsupported private key type %T", key)
	}
	leafKey, ok := chain[0].PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !leafKey.Equal(pub.Public()) {
		return tls.Certificate{}, f.errorf(ErrKeyMismatch, nil,
			"the private key is not the key of the certificate %s", strings.Join(CertNames(chain[0]), ","))
	}
	cert := tls.Certificate{PrivateKey: key, Leaf: chain[0]}
	for _, c := range chain {
		cert.Certificate = append(cert.Certificate, c.Raw)
	}
	return cert, nil
}

// trusted parses a trust store.
func (f *storeFile) trusted() ([]*x509.Certificate, error) {
	var (
		certs []*x509.Certificate
		err   error
	)
	switch f.typ {
	case typePEM:
		certs, err = pemTrustStore(f.data)
	case typePKCS12:
		certs, err = pkcs12TrustStore(f.data, f.password)
	case typeJKS:
		certs, err = jksTrustStore(f.data, f.password)
	}
	if err != nil {
		return nil, f.formatErr(err)
	}
	if len(certs) == 0 {
		return nil, f.errorf(ErrStoreFormat, nil, "no trusted certificate in the %s %s", f.typ, storeKind(f.prefix))
	}
	return certs, nil
}

// formatErr wraps a parser's error (a *parseError says which sentinel).
func (f *storeFile) formatErr(err error) error {
	sentinel := ErrStoreFormat
	var pe *parseError
	if errors.As(err, &pe) {
		sentinel = pe.sentinel
	}
	return f.errorf(sentinel, err, "%v", err)
}

func (f *storeFile) errorf(sentinel, cause error, format string, args ...any) error {
	return storeErr(f.prefix+".location", f.path, sentinel, cause, fmt.Sprintf(format, args...))
}

// parseError is a format parser's error with the sentinel it means.
type parseError struct {
	sentinel error
	msg      string
}

func (e *parseError) Error() string { return e.msg }

func badFormat(format string, args ...any) error {
	return &parseError{sentinel: ErrStoreFormat, msg: fmt.Sprintf(format, args...)}
}

func badPassword(format string, args ...any) error {
	return &parseError{sentinel: ErrStorePassword, msg: fmt.Sprintf(format, args...)}
}

package quorumtls

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Source holds the current certificate and trust pool loaded from the
// ssl.quorum.* stores, and makes *tls.Configs that always use the current
// material: with ReloadCertFiles, renewed files are picked up by the
// next handshake without a restart. Close it when the node has stopped.
type Source struct {
	opts   Options
	params tlsParams
	log    *slog.Logger

	cur atomic.Pointer[material]

	closeOnce sync.Once
	stop      chan struct{}
	done      chan struct{}
}

// material is one consistent load of both stores.
type material struct {
	cert    tls.Certificate
	roots   *x509.CertPool
	trusted []*x509.Certificate
	// digests of the key and trust store files (and password files) it
	// was loaded from.
	keyDigest, trustDigest [32]byte
	loaded                 time.Time
}

// Load validates opts, reads both stores and returns a Source. Errors are
// *OptionError (a bad setting) or *StoreError (a file: missing,
// unreadable, wrong password, bad format, key not matching the
// certificate, or an expired certificate). A certificate that expires
// within 30 days, or is not valid yet, is logged at WARN. With
// opts.ReloadCertFiles a watcher follows the files until Close.
func Load(opts Options, log *slog.Logger) (*Source, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	params, _ := opts.tlsParams() // validated above
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Source{opts: opts, params: params, log: log, stop: make(chan struct{}), done: make(chan struct{})}
	m, err := s.loadMaterial(time.Now())
	if err != nil {
		return nil, err
	}
	s.cur.Store(m)
	s.warnValidity(m)
	if opts.ReloadCertFiles {
		go s.watch(pollInterval)
	} else {
		close(s.done)
	}
	return s, nil
}

// loadMaterial reads both stores now.
func (s *Source) loadMaterial(now time.Time) (*material, error) {
	kf, err := readStore(s.opts.KeyStore, keyStorePrefix)
	if err != nil {
		return nil, err
	}
	tf, err := readStore(s.opts.TrustStore, trustStorePrefix)
	if err != nil {
		return nil, err
	}
	return s.parseMaterial(kf, tf, now)
}

// parseMaterial parses files read by readStore.
func (s *Source) parseMaterial(kf, tf *storeFile, now time.Time) (*material, error) {
	cert, err := kf.keyPair()
	if err != nil {
		return nil, err
	}
	if now.After(cert.Leaf.NotAfter) {
		return nil, kf.errorf(ErrExpired, nil, "the certificate %s expired at %s: no verifying peer would accept it",
			subjectOf(cert.Leaf), cert.Leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	trusted, err := tf.trusted()
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	for _, c := range trusted {
		roots.AddCert(c)
	}
	return &material{cert: cert, roots: roots, trusted: trusted,
		keyDigest: kf.digest, trustDigest: tf.digest, loaded: now}, nil
}

// Options returns the options the Source was loaded with.
func (s *Source) Options() Options { return s.opts }

// Certificate returns the current certificate (leaf first, Leaf set).
func (s *Source) Certificate() *tls.Certificate { return &s.cur.Load().cert }

// Trusted returns the current trust store's certificates.
func (s *Source) Trusted() []*x509.Certificate { return s.cur.Load().trusted }

// Close stops the reload watcher, if any, and waits for it. The configs
// keep serving the last material. Close is idempotent.
func (s *Source) Close() error {
	s.closeOnce.Do(func() {
		close(s.stop)
		<-s.done
		unregister(s)
	})
	return nil
}

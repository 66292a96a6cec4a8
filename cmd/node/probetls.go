package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/zkfle/zkfle/quorumtls"
	"github.com/zkfle/zkfle/zoocfg"
)

// probeTLSFlags are node probe's TLS flags, for servers with
// sslQuorum=true: a zoo.cfg to take the ssl.quorum.* stores from, or the
// stores (or a PEM certificate and key) themselves.
type probeTLSFlags struct {
	config                       string
	keyStore, keyStorePW, ksType string
	cert, key                    string
	ca, caPW, caType             string
	serverName                   string
}

func addProbeTLSFlags(fs *flag.FlagSet, f *probeTLSFlags) {
	fs.StringVar(&f.config, "tls-config", "", "take the TLS settings (ssl.quorum.* stores, protocols, hostname verification) from this `zoo.cfg`")
	fs.StringVar(&f.keyStore, "tls-keystore", "", "client key store `FILE`, as ssl.quorum.keyStore.location (PEM key+chain, .p12 or .jks)")
	fs.StringVar(&f.keyStorePW, "tls-keystore-password", "", "its password")
	fs.StringVar(&f.ksType, "tls-keystore-type", "", "its type (PEM, PKCS12, JKS; default from the file name)")
	fs.StringVar(&f.cert, "tls-cert", "", "client certificate chain, PEM `FILE` (with --tls-key)")
	fs.StringVar(&f.key, "tls-key", "", "client private key, PEM `FILE` (with --tls-cert)")
	fs.StringVar(&f.ca, "tls-ca", "", "trust store `FILE` verifying the servers' certificates (PEM, .p12 or .jks)")
	fs.StringVar(&f.caPW, "tls-ca-password", "", "its password (PKCS12, JKS)")
	fs.StringVar(&f.caType, "tls-ca-type", "", "its type (PEM, PKCS12, JKS; default from the file name)")
	fs.StringVar(&f.serverName, "tls-server-name", "", "check the servers' certificates against this `host` instead of each address's host")
}

// errProbeTLS marks a TLS flag problem: a usage error.
var errProbeTLS = errors.New("TLS flags")

// tlsConfig builds the probe's client config (nil without TLS flags) and
// a function to call when done.
func (f *probeTLSFlags) tlsConfig(log io.Writer) (*tls.Config, func(), error) {
	nop := func() {}
	direct := f.keyStore != "" || f.cert != "" || f.key != "" || f.ca != ""
	switch {
	case f.config != "" && direct:
		return nil, nop, fmt.Errorf("%w: --tls-config takes the stores from zoo.cfg: give no other --tls-* store flag", errProbeTLS)
	case f.config != "":
		return f.fromZooCfg(log)
	case !direct:
		if f.serverName != "" {
			return nil, nop, fmt.Errorf("%w: --tls-server-name needs TLS: give --tls-ca (and a client certificate)", errProbeTLS)
		}
		return nil, nop, nil
	case f.ca == "":
		return nil, nop, fmt.Errorf("%w: --tls-ca is required to verify the servers' certificates", errProbeTLS)
	case f.keyStore != "" && (f.cert != "" || f.key != ""):
		return nil, nop, fmt.Errorf("%w: give --tls-keystore or --tls-cert/--tls-key, not both", errProbeTLS)
	case (f.cert == "") != (f.key == ""):
		return nil, nop, fmt.Errorf("%w: --tls-cert and --tls-key go together", errProbeTLS)
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	switch {
	case f.keyStore != "":
		cert, err := quorumtls.LoadKeyStore(quorumtls.Store{Location: f.keyStore, Password: f.keyStorePW, Type: f.ksType})
		if err != nil {
			return nil, nop, err
		}
		cfg.Certificates = []tls.Certificate{cert}
	case f.cert != "":
		cert, err := tls.LoadX509KeyPair(f.cert, f.key)
		if err != nil {
			return nil, nop, fmt.Errorf("--tls-cert=%s --tls-key=%s: %w", f.cert, f.key, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	trusted, err := quorumtls.LoadTrustStore(quorumtls.Store{Location: f.ca, Password: f.caPW, Type: f.caType})
	if err != nil {
		return nil, nop, err
	}
	cfg.RootCAs = x509.NewCertPool()
	for _, c := range trusted {
		cfg.RootCAs.AddCert(c)
	}
	return cfg, nop, nil
}

// fromZooCfg uses a server's own settings: its key store as the client
// certificate, its trust store, protocols and hostname verification.
func (f *probeTLSFlags) fromZooCfg(log io.Writer) (*tls.Config, func(), error) {
	zc, err := zoocfg.Load(f.config)
	if err != nil {
		return nil, func() {}, err
	}
	opts := zc.Settings().QuorumTLS
	if opts == nil {
		return nil, func() {}, fmt.Errorf("%w: --tls-config=%s does not set sslQuorum=true", errProbeTLS, f.config)
	}
	o := *opts
	o.ReloadCertFiles = false // a probe is short-lived
	src, err := quorumtls.Load(o, slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return nil, func() {}, err
	}
	return src.ClientConfig(), func() { _ = src.Close() }, nil
}

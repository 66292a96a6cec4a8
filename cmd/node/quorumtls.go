package main

import (
	"log/slog"
	"time"

	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/quorumtls"
)

// loadQuorumTLS loads the key and trust stores of a zoo.cfg with
// sslQuorum=true (opts nil: plaintext, nothing to do) and returns the
// Source, to Close once the node has stopped, and the actors side.
// Errors (a bad setting, a missing, unreadable or unusable file, an
// expired certificate) name the key and the file: exit code 3.
func loadQuorumTLS(opts *quorumtls.Options, log *slog.Logger) (*quorumtls.Source, *actors.QuorumTLS, error) {
	if opts == nil {
		log.Info("Using insecure (non-TLS) quorum communication")
		return nil, nil, nil
	}
	src, err := quorumtls.Load(*opts, log)
	if err != nil {
		return nil, nil, err
	}
	info := src.Info()
	log.Info("Using TLS encrypted quorum communication",
		"subject", info.Subject, "issuer", info.Issuer, "sans", info.SANs,
		"not_after", info.NotAfter.UTC().Format(time.RFC3339), "key_store", opts.KeyStore.Location,
		"trust_store", opts.TrustStore.Location, "settings", src.String(),
		"port_unification", opts.PortUnification, "reload_cert_files", opts.ReloadCertFiles,
		"identity_check", opts.IdentityCheck)
	return src, actorsTLS(src), nil
}

// actorsTLS is the actors side of a Source: its config pair and the
// checks its options turn on.
func actorsTLS(src *quorumtls.Source) *actors.QuorumTLS {
	o := src.Options()
	return &actors.QuorumTLS{
		Server:              src.ServerConfig(),
		Client:              src.ClientConfig(),
		VerifyClientAddress: o.HostnameVerification,
		SkipIdentityCheck:   !o.IdentityCheck,
		PortUnification:     o.PortUnification,
	}
}

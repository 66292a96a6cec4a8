package quorumtls

import (
	"bytes"
	"time"
)

// pollInterval is how often the reload watcher looks at the files.
var pollInterval = time.Second

// watch re-reads the key and trust stores (and their password files)
// every interval and reloads both when any of them changed.
//
// Polling and comparing content digests, rather than fsnotify on the
// directories as ZooKeeper watches them: it sees every way a file is
// replaced, including the symlink swaps of Kubernetes secret and
// cert-manager volumes (ZooKeeper's watcher misses those: it matches
// events on the file's own name), needs no inotify watches or extra
// dependency, and costs reading a few kilobytes a second. A change shows
// up within one interval.
func (s *Source) watch(interval time.Duration) {
	defer close(s.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	var failed []byte // digests of the last content that failed to load
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		failed = s.poll(failed)
	}
}

// poll reloads if the files changed, and returns the digests of a failed
// content, so that each broken version is reported once.
func (s *Source) poll(failed []byte) []byte {
	cur := s.cur.Load()
	kf, err := readStore(s.opts.KeyStore, keyStorePrefix)
	var tf *storeFile
	if err == nil {
		tf, err = readStore(s.opts.TrustStore, trustStorePrefix)
	}
	if err != nil {
		// A file briefly missing while it is replaced: report it once.
		stamp := []byte("read:" + err.Error())
		if !bytes.Equal(stamp, failed) {
			s.log.Warn("quorum TLS reload failed: keeping the current certificate and trust store",
				"reason", err.Error())
		}
		return stamp
	}
	if kf.digest == cur.keyDigest && tf.digest == cur.trustDigest {
		return nil
	}
	stamp := append(kf.digest[:], tf.digest[:]...)
	if bytes.Equal(stamp, failed) {
		return failed
	}
	m, err := s.parseMaterial(kf, tf, time.Now())
	if err != nil {
		s.log.Warn("quorum TLS reload failed: keeping the current certificate and trust store",
			"reason", err.Error())
		return stamp
	}
	s.cur.Store(m)
	info := m.info()
	s.log.Info("quorum TLS certificate files reloaded", "subject", info.Subject,
		"not_after", info.NotAfter.UTC().Format(time.RFC3339), "trusted", len(m.trusted))
	s.warnValidity(m)
	return nil
}

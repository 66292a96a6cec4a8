package actors

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/zkfle/zkfle/quorum"
)

// ErrPeerSource is wrapped by every refusal of a connection whose source
// address is not one its claimed server.N line names.
var ErrPeerSource = errors.New("source address does not match the claimed server")

// PeerSourceError says which sid a connection claimed, where it came from,
// and which addresses that sid's server line allows.
type PeerSourceError struct {
	// SID is the claimed server id.
	SID int64
	// Source is the connection's remote IP.
	Source string
	// Allowed are the addresses server.SID names or resolves to.
	Allowed []string
}

func (e *PeerSourceError) Error() string {
	return fmt.Sprintf("sid %d claimed from %s, but server.%d names %s", e.SID, e.Source, e.SID, strings.Join(e.Allowed, ","))
}

func (e *PeerSourceError) Unwrap() error { return ErrPeerSource }

// peerSources checks that a connection claiming to be server S comes from
// an address S's server line names: the host itself when it is an IP, or
// what it resolves to. Without TLS a claim is all a peer offers; the
// source address is the one thing an attacker elsewhere cannot choose
// (tests on one machine use loopback aliases, which count as distinct).
//
// Resolved names are cached for sourceCacheTTL; a mismatch against a name
// resolved longer ago than sourceRefresh re-resolves it once before
// refusing, so a member whose address moved is accepted again quickly.
// A host that is a wildcard (0.0.0.0, ::) names no source and accepts any.
// Safe for concurrent use: the Listener's handshake goroutines and the
// Leader call it.
type peerSources struct {
	cfg     Config
	resolve func(ctx context.Context, host string) ([]netip.Addr, error)
	now     func() time.Time

	mu    sync.Mutex
	cache map[string]resolvedHost
}

type resolvedHost struct {
	addrs []netip.Addr
	at    time.Time
}

const (
	sourceCacheTTL   = 30 * time.Second
	sourceRefresh    = time.Second
	sourceResolveMax = 2 * time.Second
)

func newPeerSources(cfg Config) *peerSources {
	return &peerSources{cfg: cfg, resolve: lookupHost, now: time.Now, cache: map[string]resolvedHost{}}
}

func lookupHost(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// server looks sid up in the committed view, then the last-seen one.
func (p *peerSources) server(sid int64) (quorum.Server, bool) { return p.cfg.views().Server(sid) }

// check reports nil when remote may speak for sid: the check is off
// (Config.SkipPeerAddressCheck), sid is not a configured server (callers
// decide what non-members may do), or remote's IP is one of the server's
// addresses. Otherwise it returns a *PeerSourceError. IP hosts never
// block; a host name may be resolved, bounded by sourceResolveMax, so
// call it off an actor's goroutine when the ensemble is configured by
// name.
func (p *peerSources) check(sid int64, remote net.Addr) error {
	if p.cfg.SkipPeerAddressCheck {
		return nil
	}
	s, ok := p.server(sid)
	if !ok {
		return nil
	}
	src, ok := remoteIP(remote)
	if !ok {
		return &PeerSourceError{SID: sid, Source: fmt.Sprint(remote), Allowed: hostsOf(s)}
	}
	var allowed []string
	for _, a := range s.Addrs {
		addrs, wildcard := p.addrsOf(a.Host, false)
		if wildcard {
			return nil
		}
		if slices.Contains(addrs, src) {
			return nil
		}
		for _, ip := range addrs {
			allowed = append(allowed, ip.String())
		}
	}
	// Re-resolve names whose answer may be stale, then look again.
	for _, a := range s.Addrs {
		if _, err := netip.ParseAddr(a.Host); err == nil {
			continue
		}
		addrs, _ := p.addrsOf(a.Host, true)
		if slices.Contains(addrs, src) {
			return nil
		}
	}
	if len(allowed) == 0 {
		allowed = hostsOf(s)
	}
	return &PeerSourceError{SID: sid, Source: src.String(), Allowed: slices.Compact(allowed)}
}

// addrsOf is what host stands for: itself when it is an IP (wildcard
// reports true), else its resolved addresses (cached; refresh asks for a
// new answer if the cached one is older than sourceRefresh).
func (p *peerSources) addrsOf(host string, refresh bool) (addrs []netip.Addr, wildcard bool) {
	if ip, err := netip.ParseAddr(host); err == nil {
		ip = ip.Unmap()
		return []netip.Addr{ip}, ip.IsUnspecified()
	}
	now := p.now()
	p.mu.Lock()
	c, ok := p.cache[host]
	p.mu.Unlock()
	fresh := ok && now.Sub(c.at) < sourceCacheTTL && (!refresh || now.Sub(c.at) < sourceRefresh)
	if fresh {
		return c.addrs, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), sourceResolveMax)
	defer cancel()
	got, err := p.resolve(ctx, host)
	if err != nil && ok {
		return c.addrs, false // keep the last good answer
	}
	for i := range got {
		got[i] = got[i].Unmap()
	}
	p.mu.Lock()
	p.cache[host] = resolvedHost{addrs: got, at: now}
	p.mu.Unlock()
	return got, false
}

func remoteIP(a net.Addr) (netip.Addr, bool) {
	switch v := a.(type) {
	case *net.TCPAddr:
		ip, ok := netip.AddrFromSlice(v.IP)
		return ip.Unmap(), ok
	case nil:
		return netip.Addr{}, false
	default:
		ap, err := netip.ParseAddrPort(a.String())
		if err != nil {
			return netip.Addr{}, false
		}
		return ap.Addr().Unmap(), true
	}
}

func hostsOf(s quorum.Server) []string {
	out := make([]string, 0, len(s.Addrs))
	for _, a := range s.Addrs {
		out = append(out, a.Host)
	}
	return out
}

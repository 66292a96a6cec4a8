package probe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"sync"
	"time"

	"github.com/zkfle/zkfle/netbridge/electionwire"
	"github.com/zkfle/zkfle/zk"
)

// probeConfig is the config string the probe's notification carries: no
// members, version 0. Both ZooKeeper and zkfle parse it, and it is never
// newer than a server's own config, so it cannot restart an election.
const probeConfig = "version=0"

// Result is the outcome for one address: a Reply or an *AddrError.
type Result struct {
	// Addr is the probed address, as given.
	Addr string
	// Reply is the server's answer, nil on error.
	Reply *Reply
	// Err is nil or an *AddrError.
	Err error
}

// Probe probes every address concurrently and returns one Result per
// address, in the order given. An unusable sid in opts is returned as an
// error before anything is dialled.
func Probe(ctx context.Context, addrs []string, opts Options) ([]Result, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	out := make([]Result, len(addrs))
	var wg sync.WaitGroup
	for i, addr := range addrs {
		wg.Add(1)
		go func(i int, addr string) {
			defer wg.Done()
			r, err := probeOne(ctx, addr, o)
			out[i] = Result{Addr: addr, Reply: r, Err: err}
		}(i, addr)
	}
	wg.Wait()
	return out, nil
}

// One probes a single address. Errors are *AddrError (or ErrBadSID for an
// unusable sid in opts).
func One(ctx context.Context, addr string, opts Options) (*Reply, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	return probeOne(ctx, addr, o)
}

func probeOne(ctx context.Context, addr string, o Options) (*Reply, error) {
	fail := func(err error) (*Reply, error) { return nil, &AddrError{Addr: addr, Err: err} }
	if _, _, err := electionwire.HostPort(addr); err != nil {
		return fail(fmt.Errorf("%w %q: %v", ErrBadAddress, addr, err))
	}
	deadline := time.Now().Add(o.Timeout)
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fail(fmt.Errorf("%w: %w", ErrDial, err))
	}
	defer conn.Close()
	// A cancelled context ends the reads too.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	if err := conn.SetDeadline(deadline); err != nil {
		return fail(fmt.Errorf("%w: %v", ErrSend, err))
	}
	rw := conn // what the header and frames go through
	if o.TLS != nil {
		if rw, err = handshakeTLS(ctx, conn, addr, o); err != nil {
			return fail(err)
		}
	}
	if err := send(rw, o.SID); err != nil {
		if o.TLS != nil {
			err = refusedAfterHandshake(rw, err)
		}
		return fail(err)
	}
	return readAnswer(ctx, rw, addr, o, deadline, fail)
}

// send writes the V1 header (in one write, as Java needs) and then the
// probe's notification frame.
func send(conn net.Conn, sid int64) error {
	hdr, err := electionwire.InitialMessage{
		Version: electionwire.ProtocolV1,
		SID:     sid,
		// Our own end of the connection: truthful, and never dialled
		// because our sid is the larger one.
		Addrs: []string{conn.LocalAddr().String()},
	}.Encode()
	if err != nil {
		return fmt.Errorf("%w: header: %v", ErrSend, err)
	}
	if _, err := conn.Write(hdr); err != nil {
		return fmt.Errorf("%w: header: %v", ErrSend, err)
	}
	n := electionwire.Notification{
		State:         zk.Looking,
		Leader:        sid,
		Zxid:          math.MinInt64,
		ElectionEpoch: 0,
		PeerEpoch:     math.MinInt64,
		Version:       electionwire.NotificationVersion2,
		Config:        []byte(probeConfig),
	}
	frame, err := electionwire.AppendNotificationFrame(nil, &n)
	if err != nil {
		return fmt.Errorf("%w: notification: %v", ErrSend, err)
	}
	if _, err := conn.Write(frame); err != nil {
		return fmt.Errorf("%w: notification: %v", ErrSend, err)
	}
	return nil
}

// readAnswer reads frames until the deadline (first answer) or the settle
// window after it, and returns the last notification.
func readAnswer(ctx context.Context, conn net.Conn, addr string, o Options, deadline time.Time,
	fail func(error) (*Reply, error)) (*Reply, error) {
	fr := electionwire.NewFrameReader(conn)
	var last electionwire.Notification
	frames := 0
	for {
		body, err := fr.Next()
		if err != nil {
			switch {
			case frames > 0 && (errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, io.EOF) ||
				errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)):
				// The settle window ended, or the server hung up after
				// answering: the answer stands.
				return newReply(addr, &last, frames), nil
			case isTLSAlert(err):
				// TLS 1.3: a refusal of our certificate arrives after
				// our side of the handshake is done.
				return fail(fmt.Errorf("%w: %v", ErrTLS, err))
			case errors.Is(err, electionwire.ErrFrameLength):
				return fail(fmt.Errorf("%w: %v", ErrMalformed, err))
			case errors.Is(err, os.ErrDeadlineExceeded) && errors.Is(ctx.Err(), context.Canceled):
				return fail(fmt.Errorf("%w: %w", ErrNoReply, ctx.Err()))
			case errors.Is(err, os.ErrDeadlineExceeded):
				return fail(fmt.Errorf("%w within %v (is it an election port? is the probe sid %d larger than every member's?)",
					ErrNoReply, o.Timeout, o.SID))
			default:
				return fail(fmt.Errorf("%w: %v", ErrClosed, err))
			}
		}
		if err := electionwire.DecodeNotification(body, &last); err != nil {
			return fail(fmt.Errorf("%w: %v", ErrMalformed, err))
		}
		frames++
		if frames == 1 && o.Settle > 0 {
			until := time.Now().Add(o.Settle)
			if until.Before(deadline) {
				deadline = until
			}
			_ = conn.SetReadDeadline(deadline)
		} else if frames == 1 {
			return newReply(addr, &last, frames), nil
		}
	}
}

package admin

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server is an HTTP server on its own listener: the admin endpoint, or
// the metrics endpoint (any handler). Stop it with Shutdown.
type Server struct {
	srv  *http.Server
	ln   net.Listener
	done chan error
	once sync.Once
	err  error
}

// Listen binds addr ("host:port"; port 0 picks a free one) and serves h
// on it in the background. Its error names the address, not the endpoint
// (the caller knows whether it is the admin or the metrics one).
func Listen(addr string, h http.Handler) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %q: %w", addr, err)
	}
	s := &Server{
		// The timeouts keep a slow or idle client from holding a
		// goroutine for long; answers are small.
		srv: &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
			WriteTimeout: 10 * time.Second, IdleTimeout: 30 * time.Second},
		ln:   ln,
		done: make(chan error, 1),
	}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// Addr returns the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Shutdown stops accepting, waits for requests in flight (until ctx ends)
// and for the serving goroutine to return. Later calls return the first
// call's result.
func (s *Server) Shutdown(ctx context.Context) error {
	s.once.Do(func() {
		s.err = s.srv.Shutdown(ctx)
		if serveErr := <-s.done; !errors.Is(serveErr, http.ErrServerClosed) && s.err == nil {
			s.err = serveErr
		}
	})
	return s.err
}

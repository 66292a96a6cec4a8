package zkjava

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// stopGrace is how long Stop waits after SIGTERM before SIGKILL.
const stopGrace = 5 * time.Second

// Server is one Java ZooKeeper server of an Ensemble. Its methods are safe
// for concurrent use.
type Server struct {
	member  Member
	dir     string // s<sid>: zoo.cfg, data/, server.log
	inst    Installation
	args    []string
	mu      sync.Mutex
	proc    *os.Process   // nil when never started
	exited  chan struct{} // closed when proc has been reaped
	state   *os.ProcessState
	started time.Time
}

// SID is the server's id.
func (s *Server) SID() int64 { return s.member.SID }

// Member is the server's entry in the server list.
func (s *Server) Member() Member { return s.member }

// ClientAddr is where it answers four-letter words.
func (s *Server) ClientAddr() string { return s.member.ClientAddr() }

// ElectionAddr is its election address.
func (s *Server) ElectionAddr() string { return s.member.ElectionAddr() }

// Dir is the server's directory (zoo.cfg, data/, server.log).
func (s *Server) Dir() string { return s.dir }

// LogPath is the file that receives the JVM's stdout and stderr.
func (s *Server) LogPath() string { return filepath.Join(s.dir, "server.log") }

// Log returns everything the server has logged so far (all its launches).
func (s *Server) Log() string {
	b, err := os.ReadFile(s.LogPath())
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return string(b)
}

// Pid is the running JVM's pid, or 0.
func (s *Server) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil || s.isExited() {
		return 0
	}
	return s.proc.Pid
}

// Running reports whether the JVM is alive (started and not reaped).
func (s *Server) Running() bool { return s.Pid() != 0 }

// Exited returns a channel closed when the current (or last) JVM exits;
// nil if never started.
func (s *Server) Exited() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exited
}

// ExitState describes how the last JVM ended ("" while it runs).
func (s *Server) ExitState() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == nil {
		return ""
	}
	return s.state.String()
}

// isExited must be called with mu held.
func (s *Server) isExited() bool {
	if s.exited == nil {
		return true
	}
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// Start launches the JVM. Its output is appended to LogPath, behind a
// marker line naming the launch, so restarts keep the earlier logs.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil && !s.isExited() {
		return fmt.Errorf("%w: server %d (pid %d)", ErrAlreadyRunning, s.member.SID, s.proc.Pid)
	}
	logf, err := os.OpenFile(s.LogPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("zkjava: server %d log: %w", s.member.SID, err)
	}
	defer logf.Close() // the child holds its own copy
	fmt.Fprintf(logf, "#### zkjava launch of server %d at %s\n", s.member.SID, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(s.inst.Java, s.args...)
	cmd.Dir = s.dir
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("zkjava: start server %d (%s): %w", s.member.SID, s.inst.Java, err)
	}
	exited := make(chan struct{})
	s.proc, s.exited, s.state, s.started = cmd.Process, exited, nil, time.Now()
	go func() {
		_ = cmd.Wait() // the exit status is in ProcessState
		s.mu.Lock()
		s.state = cmd.ProcessState
		s.mu.Unlock()
		close(exited)
	}()
	return nil
}

// Kill sends SIGKILL to the JVM we started and waits until it is reaped.
func (s *Server) Kill() error { return s.signalAndWait(syscall.SIGKILL, 0) }

// Stop sends SIGTERM, and SIGKILL if the JVM is still there after 5 s; it
// waits until the process is reaped. Stopping a server that is not
// running is not an error.
func (s *Server) Stop() error {
	err := s.signalAndWait(syscall.SIGTERM, stopGrace)
	if errors.Is(err, ErrNotRunning) {
		return nil
	}
	return err
}

func (s *Server) signalAndWait(sig syscall.Signal, grace time.Duration) error {
	s.mu.Lock()
	proc, exited := s.proc, s.exited
	running := proc != nil && !s.isExited()
	s.mu.Unlock()
	if !running {
		return fmt.Errorf("%w: server %d", ErrNotRunning, s.member.SID)
	}
	// os.Process signals the very process we started (Go uses a pidfd
	// where the kernel has one), never a recycled pid.
	if err := proc.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("zkjava: signal %v to server %d (pid %d): %w", sig, s.member.SID, proc.Pid, err)
	}
	if grace > 0 {
		select {
		case <-exited:
			return nil
		case <-time.After(grace):
			_ = proc.Kill()
		}
	}
	<-exited
	return nil
}

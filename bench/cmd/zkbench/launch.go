package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// proc is one server process this harness started. Only such processes are
// ever signalled, and only while their exit has not been reaped: until
// Wait returns, the kernel cannot hand the pid to anything else, so a
// signal can never reach a stranger.
type proc struct {
	cmd      *exec.Cmd
	log      *os.File
	done     chan struct{} // closed once the process has exited and been reaped
	exitCode int           // valid after done; -1 when killed by a signal
	exitedAt time.Time     // valid after done: when the reaper saw the exit
}

// startProc launches argv in dir with stdout and stderr appended to
// logPath. The child gets its own process group, so a Ctrl-C in the
// terminal reaches only the harness, which then stops the child itself;
// Pdeathsig kills the child should the harness die without cleaning up.
func startProc(argv []string, dir, logPath string) (*proc, error) {
	if len(argv) == 0 {
		return nil, errors.New("start: empty command")
	}
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", argv[0], err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", argv[0], err)
	}
	p := &proc{cmd: cmd, log: logf, done: make(chan struct{})}
	go p.reap()
	return p, nil
}

func (p *proc) reap() {
	_ = p.cmd.Wait()
	p.exitedAt = time.Now()
	p.exitCode = p.cmd.ProcessState.ExitCode()
	p.log.Close()
	close(p.done)
}

// pid is the process id.
func (p *proc) pid() int { return p.cmd.Process.Pid }

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// term sends SIGTERM unless the process has already ended.
func (p *proc) term() {
	if !p.exited() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
	}
}

// awaitExit waits up to grace for the process to end after term, then
// kills it and waits for that. It reports whether SIGKILL was needed.
func (p *proc) awaitExit(grace time.Duration) (killed bool) {
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-p.done:
		return false
	case <-t.C:
	}
	_ = p.cmd.Process.Kill() // os.Process.Kill refuses once the process is reaped
	<-p.done
	return true
}

// kill sends SIGKILL unless the process has already ended; kill -9 of a
// leader is one of the failures failover mode measures.
func (p *proc) kill() {
	if !p.exited() {
		_ = p.cmd.Process.Kill()
	}
}

// pause sends SIGSTOP unless the process has already ended: the process
// keeps its sockets open but answers nothing, like a hung or partitioned
// server.
func (p *proc) pause() {
	if !p.exited() {
		_ = p.cmd.Process.Signal(syscall.SIGSTOP)
	}
}

// resume sends SIGCONT unless the process has already ended. It is
// harmless to a running process, so clean-up sends it to every server: a
// stopped process would hold a SIGTERM pending until SIGKILL.
func (p *proc) resume() {
	if !p.exited() {
		_ = p.cmd.Process.Signal(syscall.SIGCONT)
	}
}

//go:build !unix

package mutate

import "os/exec"

// setProcessGroup: without process groups, a cancelled run kills go test
// itself (exec.CommandContext's default).
func setProcessGroup(*exec.Cmd) {}

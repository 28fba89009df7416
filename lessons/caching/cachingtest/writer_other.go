//go:build !unix

package cachingtest

import (
	"errors"
	"os/exec"
	"time"
)

const canStopProcesses = false

type writer struct{ cmd *exec.Cmd }

func (w writer) stopMidPut(string, time.Duration) error {
	return errors.New("cannot stop a process here")
}

func (w writer) kill() {
	if w.cmd.ProcessState == nil {
		w.cmd.Process.Kill()
		w.cmd.Wait()
	}
}

//go:build unix

package cachingtest

import (
	"errors"
	"fmt"
	"os/exec"
	"syscall"
	"time"
)

const canStopProcesses = true

// writer is the child process of KilledWriterCheck.
type writer struct{ cmd *exec.Cmd }

// stopMidPut stops the writer (SIGSTOP) at a moment its temporary file is in dir beside the entry.
func (w writer) stopMidPut(dir string, limit time.Duration) error {
	pid := w.cmd.Process.Pid
	for end := time.Now().Add(limit); time.Now().Before(end); {
		time.Sleep(time.Millisecond)
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
			return fmt.Errorf("stopping the writer process: %v", err)
		}
		var status syscall.WaitStatus
		if _, err := syscall.Wait4(pid, &status, syscall.WUNTRACED, nil); err != nil || !status.Stopped() {
			return fmt.Errorf("the writer process ended on its own (%v): its Put failed or panicked", err)
		}
		if entryAndTemp(dir) {
			return nil
		}
		syscall.Kill(pid, syscall.SIGCONT)
	}
	return errors.New("in 30 s the writer process (putting one key over and over) was never caught with a " +
		"temporary file beside its entry: does Put write a temporary file in the store's folder and rename it?")
}

// kill ends the writer, stopped or not, and reaps it.
func (w writer) kill() {
	if w.cmd.ProcessState == nil {
		w.cmd.Process.Kill()
		w.cmd.Wait()
	}
}

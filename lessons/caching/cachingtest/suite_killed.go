package cachingtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/llmperf/workbook/lessons/suite"
)

// writerEnv names the folder a writer process puts to; set only in the child process the check starts.
const writerEnv = "CACHINGTEST_STORE_WRITER"

// writerValue is what the writer process puts, over and over under the key "k": large enough that each Put
// takes a while, so the writer can be caught in the middle of one.
var writerValue = bytes.Repeat([]byte("concrete pour on level 7 delayed by rain; "), 100_000) // 4.2 MB

// writeUntilKilled is the writer process: it puts writerValue under "k" until it is killed, or a minute has
// passed (if the test that started it died first).
func writeUntilKilled(open OpenStoreFunc, dir string) {
	s, err := open(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "writer: open:", err)
		os.Exit(3)
	}
	for end := time.Now().Add(time.Minute); time.Now().Before(end); {
		if err := s.Put("k", writerValue); err != nil {
			fmt.Fprintln(os.Stderr, "writer: put:", err)
			os.Exit(3)
		}
	}
	os.Exit(0)
}

// runPattern is the -test.run pattern that selects exactly the test named name (a t.Name()).
func runPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}

// ageFiles sets the modification time of every file in dir an hour back: "a while later".
func ageFiles(dir string) error {
	files, err := entryFiles(dir)
	old := time.Now().Add(-time.Hour)
	for _, f := range files {
		if cerr := os.Chtimes(f, old, old); cerr != nil && !os.IsNotExist(cerr) {
			err = cerr
		}
	}
	return err
}

// KilledWriterCheck is the persistent exercise's check with real processes: a child process puts one key over
// and over; stopped in the middle of a Put, its temporary file must survive an OpenStore (it is alive, and
// writing); killed there, its leftover must be gone after the next OpenStore, however old. The entry stays
// whole throughout.
func KilledWriterCheck(open OpenStoreFunc) suite.Check {
	return suite.Check{Name: "a writer killed mid-Put leaves nothing behind", Run: func(t *testing.T) error {
		if dir := os.Getenv(writerEnv); dir != "" {
			writeUntilKilled(open, dir) // this is the child process
		}
		if !canStopProcesses {
			t.Skip("needs a system that can stop and kill a process (unix)")
		}
		dir := t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run="+runPattern(t.Name()), "-test.count=1")
		cmd.Env = append(os.Environ(), writerEnv+"="+dir)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("starting a writer process: %v", err)
		}
		w := writer{cmd}
		defer w.kill()
		if err := w.stopMidPut(dir, 30*time.Second); err != nil {
			return fmt.Errorf("%v (its stderr: %.300s)", err, stderr.String())
		}
		if err := ageFiles(dir); err != nil {
			return err
		}
		if _, err := open(dir); err != nil {
			return fmt.Errorf("OpenStore while another process writes: %v", err)
		}
		if files, _ := entryFiles(dir); len(files) < 2 {
			return fmt.Errorf("OpenStore removed the temporary file of a live process stopped in the middle of a " +
				"Put: never remove a file another process is writing, however old. Hold an exclusive lock on the " +
				"temporary file from creating it until it is renamed (syscall.Flock with LOCK_EX|LOCK_NB); remove " +
				"only old temporary files whose lock you can take")
		}
		w.kill()
		if err := ageFiles(dir); err != nil {
			return err
		}
		s, err := open(dir)
		if err != nil {
			return fmt.Errorf("OpenStore after a writer was killed: %v", err)
		}
		if files, _ := entryFiles(dir); len(files) != 1 {
			return fmt.Errorf("a writer was killed in the middle of a Put and the store reopened an hour later: the "+
				"folder holds %d files, want only the entry. OpenStore must remove the temporary files that dead "+
				"writers left (older than a moment, and not locked by a live writer)", len(files))
		}
		got, ok, err := s.Get("k")
		if !ok || err != nil || !bytes.Equal(got, writerValue) {
			return fmt.Errorf("after the writer was killed, Get = %d bytes, ok=%v, err=%v; want the last whole "+
				"value (%d bytes)", len(got), ok, err, len(writerValue))
		}
		return nil
	}}
}

// entryAndTemp reports whether dir holds more than the writer's one entry: a temporary file beside it, with
// bytes already in it. An empty one may have been caught between its creation and its lock (a moment no
// store can close: the file exists before it can be locked), which "an hour later" must not count as a live
// writer's.
func entryAndTemp(dir string) bool {
	files, _ := entryFiles(dir)
	if len(files) < 2 {
		return false
	}
	for _, f := range files {
		if info, err := os.Stat(f); err != nil || info.Size() == 0 {
			return false
		}
	}
	return true
}

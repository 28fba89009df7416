//go:build unix

package caching

import (
	"errors"
	"os"
	"syscall"
)

// haveFlock: writers lock their temporary files.
const haveFlock = true

// lock takes an exclusive lock on f. The system releases it when f is closed or its process ends, however it
// ends.
func lock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

// heldByWriter reports whether a process holds the lock of the file at path. Trying the lock from a new open
// file conflicts with any holder, this process included.
func heldByWriter(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close() // releases the lock, if this took it
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return true, nil
	}
	return false, err
}

// commit renames tmp to path, then closes it: the lock is held until the name points at the whole file.
func commit(tmp *os.File, path string) error {
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return tmp.Close()
}

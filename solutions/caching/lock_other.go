//go:build !unix

package caching

import "os"

// Without flock, no lock is taken and a temporary file's age alone says whether its writer is gone.

const haveFlock = false

func lock(*os.File) error { return nil }

func heldByWriter(path string) (bool, error) {
	_, err := os.Stat(path)
	return false, err
}

// commit closes tmp, then renames it to path: some systems cannot rename an open file.
func commit(tmp *os.File, path string) error {
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

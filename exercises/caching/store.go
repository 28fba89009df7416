package caching

import "github.com/llmperf/workbook/lessons/todo"

// Store is a cache of bytes on disk that survives a restart: one file per entry in a folder.
//
// Put must be atomic: write a temporary file in the same folder (os.CreateTemp), Sync it, os.Rename it over the
// entry's file, then Close it, so a reader or a restarted process sees the old entry or the new one, never part
// of one. Keep the lengths and a checksum (crypto/sha256) in the file and check them in Get: a torn
// or corrupt file is a miss, and is removed — never served. Name files by a hash of the key, never the key.
//
// A writer that dies in the middle of a Put leaves its temporary file behind. OpenStore removes such leftovers —
// but never the file of a writer that is still alive, however slow: hold an exclusive lock on the temporary file
// (syscall.Flock with LOCK_EX|LOCK_NB, right after os.CreateTemp) until it is renamed and closed, and remove
// only temporary files older than a moment whose lock you can take. The system drops a dead process's locks.
type Store struct {
	// your fields: the folder
}

// OpenStore opens the store kept in dir, creating the folder if needed, and removes the temporary files of dead
// writers. A dir that is a file is an error.
func OpenStore(dir string) (*Store, error) {
	todo.Exercise("persistent") // delete this line: os.MkdirAll, check it is a folder, clean up leftovers
	return nil, nil
}

// Get returns the value stored for key. A missing, torn or corrupt entry is a miss (ok false, err nil).
func (s *Store) Get(key string) (value []byte, ok bool, err error) {
	todo.Exercise("persistent") // delete this line: read, verify, remove if damaged
	return nil, false, nil
}

// Put stores value for key, replacing any previous value atomically.
func (s *Store) Put(key string, value []byte) error {
	todo.Exercise("persistent") // delete this line: temp file, lock, write, sync, rename, close
	return nil
}

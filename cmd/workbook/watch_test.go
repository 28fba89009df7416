package main

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func TestWatchLoop(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "lru.go")
	if err := os.WriteFile(file, []byte("package caching\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		var checks atomic.Int64 // written by the loop's goroutine, read here
		done := make(chan error)
		go func() { done <- watchLoop(ctx, dir, time.Second, func(context.Context) { checks.Add(1) }) }()
		synctest.Wait()
		if checks.Load() != 1 {
			t.Fatalf("%d checks at start, want 1", checks.Load())
		}
		time.Sleep(5 * time.Second)
		synctest.Wait()
		if checks.Load() != 1 {
			t.Fatalf("%d checks without a change, want 1", checks.Load())
		}
		// Save twice in a row: one re-check once the files settle.
		for i, text := range []string{"package caching\n\n// a\n", "package caching\n\n// ab\n"} {
			if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			os.Chtimes(file, time.Unix(int64(1000+i), 0), time.Unix(int64(1000+i), 0))
			time.Sleep(time.Second)
			synctest.Wait()
		}
		time.Sleep(3 * time.Second)
		synctest.Wait()
		if checks.Load() != 2 {
			t.Errorf("%d checks after a burst of saves, want 2", checks.Load())
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("watchLoop returned %v after cancel, want nil", err)
		}
	})
}

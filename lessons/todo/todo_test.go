package todo

import (
	"strings"
	"testing"
)

// fakeTB records a Fatal without stopping the real test.
type fakeTB struct {
	testing.TB
	msg string
}

func (f *fakeTB) Helper()           {}
func (f *fakeTB) Fatal(args ...any) { f.msg = args[0].(string) }

func TestCatchReportsNotDone(t *testing.T) {
	f := &fakeTB{TB: t}
	func() {
		defer Catch(f)
		Exercise("lru")
	}()
	for _, want := range []string{`"lru" is not done yet`, "notebooks/02-caching.ipynb", "exercises/caching", "workbook hint lru"} {
		if !strings.Contains(f.msg, want) {
			t.Errorf("message %q lacks %q", f.msg, want)
		}
	}
}

func TestCatchPassesOtherPanics(t *testing.T) {
	defer func() {
		if r := recover(); r != "boom" {
			t.Errorf("recovered %v, want the original panic", r)
		}
	}()
	func() {
		defer Catch(t)
		panic("boom")
	}()
}

func TestCatchWithoutPanic(t *testing.T) {
	f := &fakeTB{TB: t}
	func() { defer Catch(f) }()
	if f.msg != "" {
		t.Errorf("Catch reported %q with nothing to catch", f.msg)
	}
}

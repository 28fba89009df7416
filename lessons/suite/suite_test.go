package suite

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/llmperf/workbook/lessons/todo"
)

// fakeTB records a Fatal and the attributes without stopping the real test.
type fakeTB struct {
	testing.TB
	msg   string
	attrs map[string]string
}

func (f *fakeTB) Helper()           {}
func (f *fakeTB) Fatal(args ...any) { f.msg = args[0].(string) }
func (f *fakeTB) Attr(k, v string) {
	if f.attrs == nil {
		f.attrs = map[string]string{}
	}
	f.attrs[k] = v
}

func TestCatchReportsNotDone(t *testing.T) {
	f := &fakeTB{TB: t}
	func() {
		defer Catch(f)
		todo.Exercise("lru")
	}()
	for _, want := range []string{`"lru" is not done yet`, "notebooks/02-caching.ipynb", "exercises/caching", "workbook hint lru"} {
		if !strings.Contains(f.msg, want) {
			t.Errorf("message %q lacks %q", f.msg, want)
		}
	}
	if f.attrs[todo.AttrKey] != todo.AttrValue {
		t.Errorf("attribute %s = %q, want %q", todo.AttrKey, f.attrs[todo.AttrKey], todo.AttrValue)
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
	if f.msg != "" || len(f.attrs) > 0 {
		t.Errorf("Catch reported %q %v with nothing to catch", f.msg, f.attrs)
	}
}

func TestInBubbleReportsALeak(t *testing.T) {
	err := InBubble(t, func(*testing.T) error {
		block := make(chan struct{}) // made inside the bubble, so a goroutine waiting on it is durably blocked
		go func() { <-block }()
		return nil
	})
	if !errors.Is(err, ErrLeaked) {
		t.Errorf("InBubble = %v, want ErrLeaked", err)
	}
}

func TestInBubbleReportsADeadlock(t *testing.T) {
	err := InBubble(t, func(*testing.T) error {
		<-make(chan struct{})
		return nil
	})
	if !errors.Is(err, ErrDeadlock) {
		t.Errorf("InBubble = %v, want ErrDeadlock", err)
	}
}

func TestInBubbleTimeIsVirtual(t *testing.T) {
	start := time.Now()
	err := InBubble(t, func(*testing.T) error {
		time.Sleep(time.Hour)
		return errors.New("after an hour")
	})
	if err == nil || err.Error() != "after an hour" {
		t.Errorf("InBubble = %v, want f's own error", err)
	}
	if time.Since(start) > time.Minute {
		t.Errorf("an hour of virtual sleep took %v of real time", time.Since(start))
	}
}

func TestFirstFailure(t *testing.T) {
	checks := []Check{
		{Name: "fine", Run: func(*testing.T) error { return nil }},
		{Name: "panics", Run: func(*testing.T) error { panic("boom") }},
		{Name: "never reached", Run: func(*testing.T) error { return errors.New("no") }},
	}
	name, err := FirstFailure(t, checks)
	if name != "panics" || err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("FirstFailure = %q, %v; want the panicking check", name, err)
	}
}

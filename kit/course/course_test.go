package course

import (
	"strings"
	"testing"
)

func TestInfoIsValid(t *testing.T) {
	list, err := parse(infoTOML)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 {
		t.Fatal("info.toml lists no exercises")
	}
}

func TestParseRejects(t *testing.T) {
	for name, text := range map[string]string{
		"no hint":       "[[exercises]]\nname='a'\ntopic='t'\nnotebook='n'\nsection='s'\n",
		"duplicate":     strings.Repeat("[[exercises]]\nname='a'\ntopic='t'\nnotebook='n'\nsection='s'\nhint='h'\n", 2),
		"unknown field": "[[exercises]]\nname='a'\ntopic='t'\nnotebook='n'\nsection='s'\nhint='h'\nhnit='x'\n",
		"no name":       "[[exercises]]\ntopic='t'\nnotebook='n'\nsection='s'\nhint='h'\n",
	} {
		if _, err := parse(text); err == nil {
			t.Errorf("%s: parse accepted it", name)
		}
	}
}

func TestRunPattern(t *testing.T) {
	e := Exercise{Name: "lru", Topic: "caching"}
	if got, want := e.RunPattern(), "^TestCaching$/^lru$"; got != want {
		t.Errorf("RunPattern() = %q, want %q", got, want)
	}
}

// Package course is the course's ordered list of exercises, read from info.toml: for each, its name, its topic
// (the folder under exercises/ and solutions/, the contract under lessons/), the notebook section that teaches it,
// and a hint. The workbook command, the "check your work" cells and the suites all read it from here.
package course

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"
)

//go:embed info.toml
var infoTOML string

// Exercise describes one exercise: where it lives, where it is taught, and how to check it.
type Exercise struct {
	Name     string `toml:"name"`
	Topic    string `toml:"topic"`
	Notebook string `toml:"notebook"`
	Section  string `toml:"section"`
	Hint     string `toml:"hint"`
}

// Dir is the exercise's package folder relative to the repository root.
func (e Exercise) Dir() string { return "exercises/" + e.Topic }

// SolutionDir is the reference implementation's folder relative to the repository root.
func (e Exercise) SolutionDir() string { return "solutions/" + e.Topic }

// SuiteTest is the top-level test that runs the topic's suite, such as "TestCaching".
func (e Exercise) SuiteTest() string {
	return "Test" + strings.ToUpper(e.Topic[:1]) + e.Topic[1:]
}

// RunPattern is the `go test -run` pattern that selects this exercise alone.
func (e Exercise) RunPattern() string {
	return "^" + e.SuiteTest() + "$/^" + e.Name + "$"
}

// All returns every exercise in course order. It panics if info.toml is invalid, which its own test prevents.
func All() []Exercise {
	list, err := parse(infoTOML)
	if err != nil {
		panic(err)
	}
	return list
}

// Lookup returns the exercise with the given name.
func Lookup(name string) (Exercise, bool) {
	for _, e := range All() {
		if e.Name == name {
			return e, true
		}
	}
	return Exercise{}, false
}

func parse(text string) ([]Exercise, error) {
	var doc struct {
		Exercises []Exercise `toml:"exercises"`
	}
	md, err := toml.Decode(text, &doc)
	if err != nil {
		return nil, fmt.Errorf("kit/course/info.toml: %w", err)
	}
	if undec := md.Undecoded(); len(undec) > 0 {
		return nil, fmt.Errorf("kit/course/info.toml: unknown field %s", undec[0])
	}
	seen := map[string]bool{}
	for i, e := range doc.Exercises {
		switch {
		case e.Name == "":
			return nil, fmt.Errorf("kit/course/info.toml: exercise %d has no name", i+1)
		case seen[e.Name]:
			return nil, fmt.Errorf("kit/course/info.toml: exercise %q appears twice", e.Name)
		case e.Topic == "" || e.Notebook == "" || e.Section == "":
			return nil, fmt.Errorf("kit/course/info.toml: exercise %q needs topic, notebook and section", e.Name)
		case strings.TrimSpace(e.Hint) == "":
			return nil, fmt.Errorf("kit/course/info.toml: exercise %q has no hint (every exercise needs one)", e.Name)
		}
		seen[e.Name] = true
		doc.Exercises[i].Hint = strings.TrimSpace(e.Hint)
	}
	return doc.Exercises, nil
}

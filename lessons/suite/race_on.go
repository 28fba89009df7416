//go:build race

package suite

// raceEnabled is true when this binary was built with -race.
const raceEnabled = true

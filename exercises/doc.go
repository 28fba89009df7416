// Package exercises holds the learner's work, one folder per topic (profiling, caching, streaming, concurrency,
// cost, and the capstone pulse, which is built from the caching, streaming and concurrency folders). Each folder has the same API as its twin under solutions/ and one test that runs the topic's suite
// from lessons/TOPIC/TOPICtest. A stub compiles and fails its suite with a message that names the notebook
// section to read and the hint to ask for. The ordered list of exercises is kit/course/info.toml.
package exercises

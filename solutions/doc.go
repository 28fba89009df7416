// Package solutions holds the course's reference implementations: one folder per topic (solutions/caching, …)
// with the same exported API as the learner's stubs in exercises/, checked by the same suite from
// lessons/TOPIC/TOPICtest.
//
// go test ./solutions/... runs every solution against its suite: each topic's folder has a test, TOPIC_test.go,
// that runs the topic's suite on it, as its twin under exercises/ does on the learner's code.
package solutions
